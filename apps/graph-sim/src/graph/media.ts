import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GraphError, invalidParam } from '../errors.js';
import type { GraphSimulator } from '../sim.js';
import type { Media } from '../state/entities.js';
import { nodeId } from '../state/ids.js';
import { authenticate, mayUseWaba, requireNumber, tokenOf } from './auth.js';

/**
 * Media: multipart upload to a number, `GET /{media-id}` for a URL that lives a few minutes, download
 * of that URL with the bearer token, delete. The URL has Meta's lookaside shape (`mid`, `ext`, `hash`).
 *
 * Accepted MIME types and their size limits follow, in the order Meta's `(#100) Param file must be ...`
 * error lists them (the list is part of that message).
 */
const LIMITS: Record<string, number> = {
  'audio/aac': 16 << 20,
  'audio/mp4': 16 << 20,
  'audio/mpeg': 16 << 20,
  'audio/amr': 16 << 20,
  'audio/ogg': 16 << 20,
  'audio/opus': 16 << 20,
  'application/vnd.ms-powerpoint': 100 << 20,
  'application/msword': 100 << 20,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 100 << 20,
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 100 << 20,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 100 << 20,
  'application/pdf': 100 << 20,
  'text/plain': 100 << 20,
  'application/vnd.ms-excel': 100 << 20,
  'image/jpeg': 5 << 20,
  'image/png': 5 << 20,
  'image/webp': 500 << 10,
  'video/mp4': 16 << 20,
  'video/3gpp': 16 << 20,
};

/**
 * What Graph answers when the file part's own Content-Type is not one it takes. The `type` form field
 * cannot rescue such a file: Meta names the part's type ("Received file of type
 * 'application/octet-stream'") even when `type` says `image/png`.
 */
function unsupportedFile(mime: string): GraphError {
  return new GraphError({
    code: 100,
    graphLevel: true,
    message:
      `(#100) Param file must be a file with one of the following types: ${Object.keys(LIMITS).join(', ')}. ` +
      `Received file of type '${mime}'.`,
  });
}

const urlSecret = randomBytes(16);

export function registerMediaRoutes(app: FastifyInstance, sim: GraphSimulator): void {
  app.post<{ Params: { id: string } }>('/:id/media', async (req) => {
    const token = authenticate(sim, req);
    const number = requireNumber(sim, token, req.params.id, 'POST');
    if (!req.isMultipart()) throw invalidParam('The media upload must be multipart/form-data.');
    // Graph reads parameters from the query string too (whatsapp-api-js sends only `file` in the form).
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
      if (typeof v === 'string') fields[k] = v;
    }
    let file: { bytes: Buffer; mime: string; filename?: string } | undefined;
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        file = { bytes: await part.toBuffer(), mime: part.mimetype, filename: part.filename };
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
    if (fields.messaging_product !== 'whatsapp')
      throw invalidParam('The parameter messaging_product is required.');
    if (!file) throw new GraphError({ code: 131008, details: 'The parameter file is required.' });
    // The file part's Content-Type is what Meta stores and checks; the `type` field (documented as
    // required, yet omitted by several clients) does not override it.
    const mime = file.mime.split(';')[0]!.trim().toLowerCase();
    const limit = LIMITS[mime];
    if (limit === undefined) throw unsupportedFile(mime);
    if (file.bytes.length > limit) {
      throw new GraphError({
        code: 131053,
        details: `The file is ${file.bytes.length} bytes; ${mime} allows ${limit}.`,
      });
    }
    const media = storeMedia(sim, number.id, file.bytes, mime, file.filename);
    return { id: media.id };
  });

  app.get('/whatsapp_business/attachments/', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const raw = tokenOf(req);
    const token = raw ? sim.world.tokens.get(raw) : undefined;
    if (!token || (token.expiresAt !== undefined && token.expiresAt <= sim.clock.now())) {
      throw new GraphError({ code: 190, message: 'Downloading media requires a valid access token.' });
    }
    const media = q.mid ? sim.world.media.get(q.mid) : undefined;
    const expected = media && q.ext ? sign(media.id, q.ext) : undefined;
    if (!media || !q.hash || q.hash !== expected || !mediaVisible(sim, token, media)) {
      return reply.code(404).type('text/plain').send('Not Found');
    }
    if (Number(q.ext) * 1000 <= sim.clock.now()) {
      return reply.code(404).type('text/plain').send('URL signature expired');
    }
    return reply
      .header('content-type', media.mimeType)
      .header('content-length', media.bytes.length)
      .header('content-disposition', attachmentHeader(media.filename ?? media.id))
      .send(media.bytes);
  });
}

export function storeMedia(
  sim: GraphSimulator,
  phoneNumberId: string,
  bytes: Buffer,
  mime: string,
  filename?: string,
): Media {
  const media: Media = {
    id: nodeId(),
    phoneNumberId,
    mimeType: mime,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes,
    filename,
    createdAt: sim.clock.now(),
  };
  sim.world.media.set(media.id, media);
  return media;
}

function sign(id: string, ext: string): string {
  return createHmac('sha256', urlSecret).update(`${id}:${ext}`).digest('base64url').slice(0, 22);
}

function mediaVisible(
  sim: GraphSimulator,
  token: { wabaIds?: string[]; kind: string },
  media: Media,
): boolean {
  const number = sim.world.numbers.get(media.phoneNumberId);
  return number !== undefined && mayUseWaba(token as Parameters<typeof mayUseWaba>[0], number.wabaId);
}

/** `GET /{media-id}`: a fresh short-lived URL each time. */
export function mediaJson(sim: GraphSimulator, req: FastifyRequest, media: Media): Record<string, unknown> {
  const ext = String(Math.floor((sim.clock.now() + sim.config.media.urlTtlMs) / 1000));
  const url = `${req.protocol}://${req.host}/whatsapp_business/attachments/?mid=${media.id}&ext=${ext}&hash=${sign(media.id, ext)}`;
  return {
    messaging_product: 'whatsapp',
    url,
    mime_type: media.mimeType,
    sha256: media.sha256,
    file_size: media.bytes.length,
    id: media.id,
  };
}

export function mediaAccessible(
  sim: GraphSimulator,
  token: Parameters<typeof mayUseWaba>[0],
  media: Media,
): boolean {
  const expired = sim.clock.now() - media.createdAt > sim.config.media.retentionMs;
  return !expired && mediaVisible(sim, token, media);
}

/** `attachment` with an ASCII fallback name and the exact UTF-8 one (RFC 6266 / RFC 8187). */
function attachmentHeader(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const utf8 = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}
