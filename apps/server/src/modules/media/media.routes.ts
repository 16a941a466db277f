import multipart from '@fastify/multipart';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HttpApp, Platform } from '../../platform/context.js';
import { AppError, notFound, standardErrors } from '../../platform/http/errors.js';
import { requirePermission, workspaceAccess } from '../../platform/http/tenant.js';
import {
  channelMediaParams,
  MAX_UPLOAD_BYTES,
  type MediaKind,
  messageMediaParams,
  UPLOAD_TYPES,
  uploadedMedia,
} from './media.schemas.js';
import { type MediaFile, messageMediaFile, type UploadFailure, uploadMedia } from './media.service.js';

const tags = ['media'];

/** Types a browser may show in the page; anything else is only ever downloaded. */
const INLINE_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'video/mp4',
  'video/3gpp',
  'audio/aac',
  'audio/amr',
  'audio/mpeg',
  'audio/mp4',
  'audio/ogg',
  'audio/opus',
]);
const MIME = /^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w-]+=[\w.-]+)*$/;

/**
 * RFC 6266: a quoted ASCII fallback name for old clients, and the exact name in UTF-8 (`filename*`,
 * RFC 8187, where `'()*` must be percent-encoded too).
 */
function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const utf8 = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/**
 * Headers for a customer's file served from our own origin: never sniffed, never able to run script
 * (CSP sandbox), documents and unknown types as attachments, cached only by the caller's browser.
 */
export function mediaHeaders(file: MediaFile): Record<string, string> {
  const contentType = MIME.test(file.mimeType) ? file.mimeType : 'application/octet-stream';
  const base = contentType.split(';')[0]!.trim().toLowerCase();
  const inline = file.kind !== 'document' && INLINE_TYPES.has(base);
  return {
    'content-type': contentType,
    'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', file.fileName ?? file.kind),
    'cache-control': 'private, max-age=3600',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
  };
}

/** The name the customer sees on a document: no path, no control characters, at most 240 characters. */
function cleanFileName(raw: string | undefined, kind: MediaKind): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean.slice(-240) || kind;
}

function uploadError(failure: UploadFailure): AppError {
  switch (failure.reason) {
    case 'channel_not_found':
      return new AppError('channel_not_found', 'The channel does not exist');
    case 'channel_not_connected':
      return new AppError('channel_not_connected', 'The number is not connected');
    case 'channel_needs_reauth':
      return new AppError('channel_needs_reauth', 'The number needs to be reconnected to Meta');
    case 'refused_by_meta':
      return new AppError(
        'unprocessable',
        `Meta refused the file${failure.details ? `: ${failure.details}` : ''}`,
      );
    case 'unavailable':
      return new AppError('unavailable', 'Meta cannot be reached right now; try again');
  }
}

const describeLimit = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KB`;

/** Media of messages: download what customers (and members) sent, upload files to send by id. */
export function registerMediaRoutes(app: HttpApp, platform: Platform): void {
  app.get(
    '/api/v1/workspaces/:workspaceId/messages/:messageId/media',
    {
      ...requirePermission('conversations.read.assigned'),
      schema: {
        tags,
        summary: "A message's file: a customer's media once copied from Meta, or a file uploaded here",
        description:
          'Only for messages of conversations the caller may read (404 otherwise, and while an inbound ' +
          'file is still being copied). Documents come as attachments.',
        produces: ['application/octet-stream'],
        params: messageMediaParams,
        response: { 200: z.string().describe('The file, with its own Content-Type'), ...standardErrors },
      },
    },
    async (request, reply) => {
      const file = await messageMediaFile(platform, workspaceAccess(request), request.params.messageId);
      if (!file) throw notFound('Media');
      // Bytes are written as they are, never serialised; the schema above documents what they carry.
      return reply.headers(mediaHeaders(file)).send(Buffer.from(file.data) as unknown as string);
    },
  );

  // Multipart parsing only for the upload route.
  app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    await scope.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });

    scope.post(
      '/api/v1/workspaces/:workspaceId/channels/:channelId/media',
      {
        ...requirePermission('messages.send'),
        schema: {
          tags,
          summary: 'Upload a file to Meta for this number; send it by the returned id within 30 days',
          description:
            'multipart/form-data with one part named `file`. Accepted: JPEG/PNG images (5 MB), WebP ' +
            'stickers (500 KB), AAC/AMR/MP3/M4A/OGG audio and MP4/3GP video (16 MB), PDF, text and ' +
            'Office documents (100 MB).',
          consumes: ['multipart/form-data'],
          params: channelMediaParams,
          response: { 201: uploadedMedia, ...standardErrors },
        },
      },
      async (request, reply) => {
        const access = workspaceAccess(request);
        if (!request.isMultipart()) {
          throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data');
        }
        const part = await request.file();
        if (!part) {
          throw new AppError('validation_failed', 'The request is not valid', [
            { path: 'body.file', message: 'attach a file' },
          ]);
        }
        const mimeType = part.mimetype.split(';')[0]!.trim().toLowerCase();
        const type = UPLOAD_TYPES[mimeType];
        if (!type) {
          part.file.resume();
          throw new AppError('unsupported_media_type', `WhatsApp does not accept ${mimeType} files`);
        }
        const data = await part.toBuffer();
        if (data.length === 0) {
          throw new AppError('validation_failed', 'The request is not valid', [
            { path: 'body.file', message: 'the file is empty' },
          ]);
        }
        if (data.length > type.maxBytes) {
          throw new AppError(
            'payload_too_large',
            `A ${type.kind} of type ${mimeType} can be at most ${describeLimit(type.maxBytes)}`,
          );
        }
        const result = await uploadMedia(platform, access, request.params.channelId, {
          data,
          mimeType,
          fileName: cleanFileName(part.filename, type.kind),
          kind: type.kind,
        });
        if (!result.ok) throw uploadError(result);
        return reply.status(201).send(result.value);
      },
    );
  });
}
