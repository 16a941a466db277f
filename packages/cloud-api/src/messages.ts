import { z } from 'zod';
import { idString, openEnum } from './schema-helpers.js';

/**
 * Request bodies of `POST /{phone-number-id}/messages` and its response. The limits are Meta's, so the
 * simulator can answer as Meta would and the platform can reject a message before spending a call.
 */

const mediaRef = (captionable: boolean, extra: z.ZodRawShape = {}) =>
  z
    .looseObject({
      id: idString.optional(),
      link: z.url().optional(),
      ...(captionable ? { caption: z.string().max(1024).optional() } : {}),
      ...extra,
    })
    .refine((media) => (media.id === undefined) !== (media.link === undefined), {
      message: 'give exactly one of id or link',
    });

export const outboundTextSchema = z.looseObject({
  type: z.literal('text'),
  text: z.looseObject({ body: z.string().min(1).max(4096), preview_url: z.boolean().optional() }),
});
export const outboundImageSchema = z.looseObject({ type: z.literal('image'), image: mediaRef(true) });
export const outboundVideoSchema = z.looseObject({ type: z.literal('video'), video: mediaRef(true) });
export const outboundAudioSchema = z.looseObject({ type: z.literal('audio'), audio: mediaRef(false) });
export const outboundStickerSchema = z.looseObject({ type: z.literal('sticker'), sticker: mediaRef(false) });
export const outboundDocumentSchema = z.looseObject({
  type: z.literal('document'),
  document: mediaRef(true, { filename: z.string().min(1).optional() }),
});

export const outboundLocationSchema = z.looseObject({
  type: z.literal('location'),
  location: z.looseObject({
    latitude: z.number(),
    longitude: z.number(),
    name: z.string().optional(),
    address: z.string().optional(),
  }),
});

export const outboundReactionSchema = z.looseObject({
  type: z.literal('reaction'),
  // An empty emoji removes the reaction.
  reaction: z.looseObject({ message_id: idString, emoji: z.string() }),
});

const mediaParamObject = z.looseObject({ id: idString.optional(), link: z.url().optional() });

/** A value filling one template variable. `parameter_name` is set for templates with named parameters. */
export const templateParameterSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text'), text: z.string(), parameter_name: z.string().optional() }),
  z.looseObject({
    type: z.literal('currency'),
    currency: z.looseObject({ fallback_value: z.string(), code: z.string(), amount_1000: z.number().int() }),
    parameter_name: z.string().optional(),
  }),
  z.looseObject({
    type: z.literal('date_time'),
    date_time: z.looseObject({ fallback_value: z.string() }),
    parameter_name: z.string().optional(),
  }),
  z.looseObject({ type: z.literal('image'), image: mediaParamObject }),
  z.looseObject({ type: z.literal('video'), video: mediaParamObject }),
  z.looseObject({
    type: z.literal('document'),
    document: mediaParamObject.extend({ filename: z.string().optional() }),
  }),
  z.looseObject({
    type: z.literal('location'),
    location: z.looseObject({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
    }),
  }),
  // Button parameters: a quick reply's payload, a copy-code button's coupon, a URL button's suffix (text).
  z.looseObject({ type: z.literal('payload'), payload: z.string() }),
  z.looseObject({ type: z.literal('coupon_code'), coupon_code: z.string() }),
  z.looseObject({ type: z.literal('action'), action: z.looseObject({}) }),
]);
export type TemplateParameter = z.infer<typeof templateParameterSchema>;

export const templateSendComponentSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('header'), parameters: z.array(templateParameterSchema) }),
  z.looseObject({ type: z.literal('body'), parameters: z.array(templateParameterSchema) }),
  z.looseObject({
    type: z.literal('button'),
    sub_type: openEnum(['quick_reply', 'url', 'copy_code', 'flow', 'catalog', 'mpm', 'voice_call'] as const),
    // Meta's examples write the index as a string; a number is accepted as well.
    index: z.union([z.string().regex(/^\d+$/), z.number().int().min(0)]),
    parameters: z.array(templateParameterSchema),
  }),
]);
export type TemplateSendComponent = z.infer<typeof templateSendComponentSchema>;

export const outboundTemplateSchema = z.looseObject({
  type: z.literal('template'),
  template: z.looseObject({
    name: z.string().min(1),
    language: z.looseObject({ code: z.string().min(1), policy: z.literal('deterministic').optional() }),
    components: z.array(templateSendComponentSchema).optional(),
  }),
});

const interactiveHeaderSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text'), text: z.string().min(1).max(60) }),
  z.looseObject({ type: z.literal('image'), image: mediaParamObject }),
  z.looseObject({ type: z.literal('video'), video: mediaParamObject }),
  z.looseObject({ type: z.literal('document'), document: mediaParamObject }),
]);
const interactiveBody = z.looseObject({ text: z.string().min(1).max(1024) });
const interactiveFooter = z.looseObject({ text: z.string().min(1).max(60) });

export const interactiveButtonSchema = z.looseObject({
  type: z.literal('button'),
  header: interactiveHeaderSchema.optional(),
  body: interactiveBody,
  footer: interactiveFooter.optional(),
  action: z.looseObject({
    buttons: z
      .array(
        z.looseObject({
          type: z.literal('reply'),
          reply: z.looseObject({ id: z.string().min(1).max(256), title: z.string().min(1).max(20) }),
        }),
      )
      .min(1)
      .max(3)
      .refine((buttons) => new Set(buttons.map((b) => b.reply.title)).size === buttons.length, {
        message: 'button titles must be unique',
      }),
  }),
});

export const interactiveListSchema = z.looseObject({
  type: z.literal('list'),
  header: z.looseObject({ type: z.literal('text'), text: z.string().min(1).max(60) }).optional(),
  body: interactiveBody,
  footer: interactiveFooter.optional(),
  action: z.looseObject({
    button: z.string().min(1).max(20),
    sections: z
      .array(
        z.looseObject({
          title: z.string().max(24).optional(),
          rows: z
            .array(
              z.looseObject({
                id: z.string().min(1).max(200),
                title: z.string().min(1).max(24),
                description: z.string().max(72).optional(),
              }),
            )
            .min(1),
        }),
      )
      .min(1)
      .max(10)
      .refine((sections) => sections.reduce((n, s) => n + s.rows.length, 0) <= 10, {
        message: 'a list holds at most 10 rows in total',
      }),
  }),
});

export const outboundInteractiveSchema = z.looseObject({
  type: z.literal('interactive'),
  interactive: z.discriminatedUnion('type', [interactiveButtonSchema, interactiveListSchema]),
});

/** The content of a message, without addressing. */
export const outboundMessageContentSchema = z.discriminatedUnion('type', [
  outboundTextSchema,
  outboundImageSchema,
  outboundVideoSchema,
  outboundAudioSchema,
  outboundDocumentSchema,
  outboundStickerSchema,
  outboundLocationSchema,
  outboundReactionSchema,
  outboundTemplateSchema,
  outboundInteractiveSchema,
]);
export type OutboundMessageContent = z.infer<typeof outboundMessageContentSchema>;

/** Optional parts of any send: a quoted message, and data Meta echoes back in status webhooks. */
export const outboundMessageExtrasSchema = z.looseObject({
  context: z.looseObject({ message_id: idString }).optional(),
  biz_opaque_callback_data: z.string().max(512).optional(),
});

/**
 * The full body of `POST /{phone-number-id}/messages`. Exactly one of `to` (a phone number, sent as
 * E.164 with a leading +) or `recipient` (a business-scoped user id) addresses the message.
 */
export const sendMessageRequestSchema = z
  .looseObject({
    messaging_product: z.literal('whatsapp'),
    recipient_type: z.literal('individual').optional(),
    to: z.string().min(1).optional(),
    recipient: z.string().min(1).optional(),
  })
  .and(outboundMessageExtrasSchema)
  .and(outboundMessageContentSchema)
  .refine((body) => (body.to === undefined) !== (body.recipient === undefined), {
    message: 'give exactly one of to or recipient',
    path: ['to'],
  });
export type SendMessageRequest = z.infer<typeof sendMessageRequestSchema>;

export const sendMessageResponseSchema = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  contacts: z
    .array(z.looseObject({ input: z.string(), wa_id: z.string().optional(), user_id: z.string().optional() }))
    .optional(),
  messages: z
    .array(
      z.looseObject({
        id: idString,
        // Accepted by Meta, not delivered: delivery is reported by status webhooks.
        message_status: openEnum(['accepted', 'held_for_quality_assessment', 'paused'] as const).optional(),
      }),
    )
    .min(1),
});
export type SendMessageResponse = z.infer<typeof sendMessageResponseSchema>;

/** `POST /{phone-number-id}/messages` marking an inbound message read, optionally showing typing. */
export const markReadRequestSchema = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  status: z.literal('read'),
  message_id: idString,
  typing_indicator: z.looseObject({ type: z.literal('text') }).optional(),
});
export type MarkReadRequest = z.infer<typeof markReadRequestSchema>;

/** `{"success": true}` — the answer of mark-read, register, subscribe, delete and similar calls. */
export const successResponseSchema = z.looseObject({ success: z.boolean() });
export type SuccessResponse = z.infer<typeof successResponseSchema>;

/**
 * Normalises a phone number to E.164 with a leading `+`. Meta accepts spaces and dashes, but a number
 * without `+` gets the sender's country code prefixed, which misdelivers international numbers.
 */
export function toE164(phone: string): string {
  const digits = phone.replace(/[\s\-().]/g, '').replace(/^\+/, '');
  if (!/^[1-9]\d{5,14}$/.test(digits)) {
    throw new RangeError(
      'recipient phone number must be 6 to 15 digits not starting with 0, optionally with a leading +',
    );
  }
  return `+${digits}`;
}
