import { GraphApiError, GraphError } from '@openwaba/cloud-api';
import type { Platform } from '../../platform/context.js';
import type { WorkspaceAccess } from '../../platform/http/auth.js';
import { recordAudit } from '../audit/audit.service.js';
import { sendingCredentials } from '../channels/channels.credentials.js';
import { scopeFor } from '../conversations/conversations.service.js';
import { findVisibleMessage } from './media.repository.js';
import type { MediaKind, UploadedMedia } from './media.schemas.js';

/** A file ready to serve: its bytes and what the stored message says about it. */
export interface MediaFile {
  data: Uint8Array;
  mimeType: string;
  fileName: string | undefined;
  kind: string;
}

type Access = Pick<WorkspaceAccess, 'workspaceId' | 'principal' | 'can' | 'actor'>;

/** What an upload leaves in the media store next to the bytes, for serving the sent message later. */
interface UploadRecord {
  mimeType: string;
  fileName: string;
}

/** Meta's media ids are digits; anything else never becomes part of a storage key. */
const SAFE_MEDIA_ID = /^[A-Za-z0-9_-]{1,200}$/;
const uploadKey = (workspaceId: string, mediaId: string) => `${workspaceId}/uploads/${mediaId}`;

/**
 * The media of a message the caller may read: an inbound file once copied from Meta, or an outbound
 * file uploaded through this platform and sent by id. Null when there is none (yet) or it is not the
 * caller's to see.
 */
export async function messageMediaFile(
  platform: Platform,
  access: Access,
  messageId: string,
): Promise<MediaFile | null> {
  const message = await findVisibleMessage(platform.db, await scopeFor(platform.db, access), messageId);
  if (!message) return null;
  const body = message.content[message.type];
  const sent = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};

  const media = message.media;
  if (media?.state === 'stored' && media.storageKey?.startsWith(`${access.workspaceId}/`)) {
    const data = await platform.media.get(media.storageKey);
    if (!data) return null;
    return {
      data,
      mimeType: media.mimeType ?? 'application/octet-stream',
      fileName: media.fileName ?? (typeof sent.filename === 'string' ? sent.filename : undefined),
      kind: message.type,
    };
  }
  if (message.direction === 'outbound' && typeof sent.id === 'string' && SAFE_MEDIA_ID.test(sent.id)) {
    const key = uploadKey(access.workspaceId, sent.id);
    const [data, record] = await Promise.all([platform.media.get(key), platform.media.get(`${key}.json`)]);
    if (!data || !record) return null;
    const upload = JSON.parse(Buffer.from(record).toString('utf8')) as UploadRecord;
    return {
      data,
      mimeType: upload.mimeType,
      fileName: typeof sent.filename === 'string' ? sent.filename : upload.fileName,
      kind: message.type,
    };
  }
  return null;
}

export type UploadFailure =
  | { reason: 'channel_not_found' | 'channel_not_connected' | 'channel_needs_reauth' | 'unavailable' }
  | { reason: 'refused_by_meta'; details: string };

/**
 * Uploads a file to Meta for one number (`POST /{phone-number-id}/media`) and keeps a copy, so the
 * message that sends it by id can be shown in the inbox. Meta keeps the media 30 days. Audited as
 * `media.uploaded` (id, type and size; never the bytes).
 */
export async function uploadMedia(
  platform: Platform,
  access: Pick<WorkspaceAccess, 'workspaceId' | 'actor'>,
  channelId: string,
  file: { data: Uint8Array; mimeType: string; fileName: string; kind: MediaKind },
): Promise<{ ok: true; value: UploadedMedia } | ({ ok: false } & UploadFailure)> {
  const { workspaceId } = access;
  const credentials = await sendingCredentials(platform, workspaceId, channelId);
  if (!credentials.ok) {
    const reason =
      credentials.reason === 'not_found'
        ? 'channel_not_found'
        : credentials.reason === 'needs_reauth'
          ? 'channel_needs_reauth'
          : 'channel_not_connected';
    return { ok: false, reason };
  }
  let id: string;
  try {
    ({ id } = await platform.graph.uploadMedia({
      accessToken: credentials.accessToken,
      phoneNumberId: credentials.channel.phoneNumberId,
      data: file.data,
      mimeType: file.mimeType,
      filename: file.fileName,
    }));
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    if (error.category === 'auth') return { ok: false, reason: 'channel_needs_reauth' };
    if (error instanceof GraphApiError && (error.category === 'permanent' || error.category === 'permission'))
      return { ok: false, reason: 'refused_by_meta', details: error.details ?? error.metaMessage ?? '' };
    return { ok: false, reason: 'unavailable' };
  }
  if (SAFE_MEDIA_ID.test(id)) {
    const key = uploadKey(workspaceId, id);
    const record: UploadRecord = { mimeType: file.mimeType, fileName: file.fileName };
    await platform.media.put(key, file.data);
    await platform.media.put(`${key}.json`, Buffer.from(JSON.stringify(record)));
  }
  // Nothing of ours to commit with it: the file now lives at Meta (and in the media store).
  await recordAudit(platform.db, access.actor, {
    workspaceId,
    action: 'media.uploaded',
    resourceType: 'media',
    resourceId: id,
    after: { channelId, kind: file.kind, mimeType: file.mimeType, size: file.data.byteLength },
  });
  return {
    ok: true,
    value: {
      id,
      kind: file.kind,
      mimeType: file.mimeType,
      fileName: file.fileName,
      size: file.data.byteLength,
    },
  };
}
