import { interactiveButtonSchema, interactiveListSchema } from '@openwaba/cloud-api';
import { z } from 'zod';
import { templateParametersSchema } from '../templates/templates.params.js';

const media = (captionable: boolean, filename = false) =>
  z
    .object({
      /** A public HTTPS URL Meta downloads, or … */
      link: z.url().optional(),
      /** … the id of media uploaded to Meta for this number. */
      id: z.string().min(1).max(200).optional(),
      ...(captionable ? { caption: z.string().max(1024).optional() } : {}),
      ...(filename ? { filename: z.string().min(1).max(240).optional() } : {}),
    })
    .refine((m) => (m.link === undefined) !== (m.id === undefined), {
      message: 'give exactly one of link or id',
    });

const addressing = {
  /** The number (its phone_number_id's channel) that sends. */
  channelId: z.string().min(1),
  /** A phone number in international format, or … */
  to: z.string().min(3).max(32).optional(),
  /** … a contact of the workspace. */
  contactId: z.string().min(1).optional(),
  /** Quote an earlier message of the conversation: our id (msg_…) or Meta's wamid. */
  replyTo: z.string().min(1).optional(),
};

export const sendMessageBody = z
  .discriminatedUnion('type', [
    z.object({
      ...addressing,
      type: z.literal('text'),
      text: z.object({ body: z.string().min(1).max(4096), previewUrl: z.boolean().optional() }),
    }),
    z.object({ ...addressing, type: z.literal('image'), image: media(true) }),
    z.object({ ...addressing, type: z.literal('video'), video: media(true) }),
    z.object({ ...addressing, type: z.literal('audio'), audio: media(false) }),
    z.object({ ...addressing, type: z.literal('document'), document: media(true, true) }),
    z.object({ ...addressing, type: z.literal('sticker'), sticker: media(false) }),
    z.object({
      ...addressing,
      type: z.literal('template'),
      template: z.object({
        name: z.string().min(1).max(512),
        language: z.string().min(2).max(16),
        parameters: templateParametersSchema.optional(),
      }),
    }),
    z.object({
      ...addressing,
      type: z.literal('interactive'),
      interactive: z.discriminatedUnion('type', [interactiveButtonSchema, interactiveListSchema]),
    }),
    z.object({
      ...addressing,
      type: z.literal('reaction'),
      reaction: z.object({ messageId: z.string().min(1), emoji: z.string().max(16) }),
    }),
  ])
  .refine((body) => (body.to === undefined) !== (body.contactId === undefined), {
    message: 'give exactly one of to or contactId',
    path: ['to'],
  })
  .meta({ id: 'SendMessageRequest' });
export type SendMessageBody = z.infer<typeof sendMessageBody>;

export const messageView = z
  .object({
    id: z.string(),
    channelId: z.string(),
    contactId: z.string(),
    conversationId: z.string(),
    direction: z.enum(['inbound', 'outbound']),
    type: z.string(),
    status: z.string(),
    wamid: z.string().nullable(),
    preview: z.string().nullable(),
    error: z
      .object({ code: z.number(), reason: z.string().optional(), details: z.string().optional() })
      .nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Message' });
export type MessageView = z.infer<typeof messageView>;

export const messageParams = z.object({ workspaceId: z.string(), messageId: z.string() });
export const workspaceParams = z.object({ workspaceId: z.string() });
