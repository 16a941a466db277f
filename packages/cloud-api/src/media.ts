import { z } from 'zod';
import { idString } from './schema-helpers.js';

/** Media: upload to `/{phone-number-id}/media`, then `GET` / `DELETE /{media-id}`. */

export const uploadMediaResponseSchema = z.looseObject({ id: idString });
export type UploadMediaResponse = z.infer<typeof uploadMediaResponseSchema>;

export const mediaObjectSchema = z.looseObject({
  id: idString,
  messaging_product: z.literal('whatsapp').optional(),
  // Lives about five minutes and needs the bearer token to download.
  url: z.url(),
  mime_type: z.string(),
  sha256: z.string().optional(),
  file_size: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
});
export type MediaObject = z.infer<typeof mediaObjectSchema>;

export interface DownloadedMedia {
  data: Uint8Array;
  /** The Content-Type Meta answered with, if any. */
  contentType: string | undefined;
}
