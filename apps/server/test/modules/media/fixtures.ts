import type { MessageRow } from '../../../src/modules/messages/messages.tables.js';
import { newId } from '../../../src/platform/ids.js';
import type { TestApp } from '../../helpers/app.js';
import { hoursAgo, seedChannel, seedConversation, seedMessage } from '../conversations/fixtures.js';

/** The smallest valid PNG (1×1 pixel): real bytes a browser can decode. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** A multipart/form-data body with one `file` part, as a browser's FormData would send it. */
export async function multipartFile(data: Uint8Array, type: string, name: string) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)], { type }), name);
  const encoded = new Response(form);
  return {
    payload: Buffer.from(await encoded.arrayBuffer()),
    headers: { 'content-type': encoded.headers.get('content-type') ?? '' },
  };
}

/**
 * An inbound message whose media was already copied into the media store (what the webhook's media
 * job leaves behind), in a conversation with the given assignee.
 */
export async function seedStoredMedia(
  t: TestApp,
  workspaceId: string,
  options: { assigneeId?: string | null; type?: string; mimeType?: string; fileName?: string } = {},
): Promise<MessageRow> {
  const channelId = await seedChannel(t, workspaceId);
  const conversation = await seedConversation(t, workspaceId, {
    channelId,
    assigneeId: options.assigneeId ?? null,
    lastInboundAt: hoursAgo(1),
  });
  const id = newId('message');
  const storageKey = `${workspaceId}/inbound/${id}`;
  await t.platform.media.put(storageKey, PNG);
  const type = options.type ?? 'image';
  return seedMessage(t, conversation, {
    id,
    direction: 'inbound',
    occurredAt: hoursAgo(1),
    type,
    content: { [type]: { id: `meta-${id}`, ...(options.fileName ? { filename: options.fileName } : {}) } },
    preview: `[${type}]`,
    media: {
      state: 'stored',
      storageKey,
      metaMediaId: `meta-${id}`,
      mimeType: options.mimeType ?? 'image/png',
      ...(options.fileName ? { fileName: options.fileName } : {}),
    },
  });
}
