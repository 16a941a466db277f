import { z } from 'zod';
import { idString, keyedUnion, unixSecondsString } from './schema-helpers.js';

/**
 * Inbound messages as they appear in `value.messages[]` of a `messages` webhook. Every message type Meta
 * documents has its own schema; any other type parses through `unknownInboundMessageSchema`, so a type
 * Meta introduces tomorrow reaches the platform as an "unknown" item instead of failing its batch.
 */

/** An error Meta attaches to a message, status or change value. */
export const webhookErrorSchema = z.looseObject({
  code: z.number().int(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
  href: z.string().optional(),
});
export type WebhookError = z.infer<typeof webhookErrorSchema>;

export const messageContextSchema = z.looseObject({
  from: z.string().optional(),
  id: z.string().optional(),
  forwarded: z.boolean().optional(),
  frequently_forwarded: z.boolean().optional(),
  referred_product: z
    .looseObject({ catalog_id: z.string().optional(), product_retailer_id: z.string().optional() })
    .optional(),
});

/** Present on the first message a user sends after tapping a click-to-WhatsApp ad. */
export const adReferralSchema = z.looseObject({
  source_url: z.string().optional(),
  source_id: z.string().optional(),
  source_type: z.string().optional(),
  body: z.string().optional(),
  headline: z.string().optional(),
  media_type: z.string().optional(),
  image_url: z.string().optional(),
  video_url: z.string().optional(),
  thumbnail_url: z.string().optional(),
  // Absent for ads shown in WhatsApp Status.
  ctwa_clid: z.string().optional(),
  welcome_message: z.looseObject({ text: z.string().optional() }).optional(),
});
export type AdReferral = z.infer<typeof adReferralSchema>;

/**
 * Fields every inbound message carries. `from` (the phone number) is optional because users who adopt a
 * username may hide it; `from_user_id` (the business-scoped user id, BSUID) then identifies them.
 */
const messageBaseShape = {
  id: idString,
  timestamp: unixSecondsString,
  // Meta sends `"from": ""` (not an absent field) when the user hides their number behind a username.
  from: z.string().optional(),
  from_user_id: z.string().min(1).optional(),
  context: messageContextSchema.optional(),
  referral: adReferralSchema.optional(),
  errors: z.array(webhookErrorSchema).optional(),
};

const mediaShape = {
  id: idString,
  mime_type: z.string().min(1),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  url: z.string().optional(),
};

export const textMessageSchema = z.looseObject({
  ...messageBaseShape,
  type: z.literal('text'),
  text: z.looseObject({ body: z.string() }),
});

export const imageMessageSchema = z.looseObject({
  ...messageBaseShape,
  type: z.literal('image'),
  image: z.looseObject(mediaShape),
});

export const videoMessageSchema = z.looseObject({
  ...messageBaseShape,
  type: z.literal('video'),
  video: z.looseObject(mediaShape),
});

export const audioMessageSchema = z.looseObject({
  ...messageBaseShape,
  type: z.literal('audio'),
  // `voice: true` marks a voice note recorded in WhatsApp rather than a forwarded audio file.
  audio: z.looseObject({ ...mediaShape, voice: z.boolean().optional() }),
});

export const documentMessageSchema = z.looseObject({
  ...messageBaseShape,
  type: z.literal('document'),
  document: z.looseObject({ ...mediaShape, filename: z.string().optional() }),
});

export const stickerMessageSchema = z.looseObject({
  ...messageBaseShape,
  type: z.literal('sticker'),
  sticker: z.looseObject({ ...mediaShape, animated: z.boolean().optional() }),
});

export const locationMessageSchema = z.looseObject({
  ...messageBaseShape,
  type: z.literal('location'),
  location: z.looseObject({
    latitude: z.number(),
    longitude: z.number(),
    name: z.string().optional(),
    address: z.string().optional(),
    url: z.string().optional(),
  }),
});

const looseList = <T extends z.ZodType>(item: T) => z.array(item).optional();

/** A contact card shared by the user. */
export const sharedContactSchema = z.looseObject({
  name: z.looseObject({
    formatted_name: z.string(),
    first_name: z.string().optional(),
    last_name: z.string().optional(),
  }),
  phones: looseList(
    z.looseObject({
      phone: z.string().optional(),
      wa_id: z.string().optional(),
      type: z.string().optional(),
    }),
  ),
  emails: looseList(z.looseObject({ email: z.string().optional(), type: z.string().optional() })),
  addresses: looseList(z.looseObject({})),
  urls: looseList(z.looseObject({ url: z.string().optional(), type: z.string().optional() })),
  org: z.looseObject({}).optional(),
  birthday: z.string().optional(),
});
export type SharedContact = z.infer<typeof sharedContactSchema>;

export const contactsMessageSchema = z.looseObject({
  ...messageBaseShape,
  type: z.literal('contacts'),
  contacts: z.array(sharedContactSchema).min(1),
});

/**
 * A reply to an interactive message. `type` stays open (Meta added `nfm_reply` for Flows and may add
 * more); the reply object matching a known type must be present.
 */
export const interactiveReplySchema = z
  .looseObject({
    type: z.string().min(1),
    button_reply: z.looseObject({ id: z.string(), title: z.string() }).optional(),
    list_reply: z
      .looseObject({ id: z.string(), title: z.string(), description: z.string().optional() })
      .optional(),
    nfm_reply: z
      .looseObject({ response_json: z.string(), body: z.string().optional(), name: z.string().optional() })
      .optional(),
  })
  .check((ctx) => {
    const reply = ctx.value;
    for (const key of ['button_reply', 'list_reply', 'nfm_reply'] as const) {
      if (reply.type === key && reply[key] === undefined) {
        ctx.issues.push({ code: 'custom', input: reply, path: [key], message: `missing ${key} object` });
      }
    }
  });

export const interactiveMessageSchema = z.looseObject({
  ...messageBaseShape,
  type: z.literal('interactive'),
  interactive: interactiveReplySchema,
});

/** A tap on a template's quick-reply button. */
export const buttonMessageSchema = z.looseObject({
  ...messageBaseShape,
  type: z.literal('button'),
  button: z.looseObject({ text: z.string(), payload: z.string().optional() }),
});

export const reactionMessageSchema = z.looseObject({
  ...messageBaseShape,
  type: z.literal('reaction'),
  // `emoji` is absent when the user removes a reaction.
  reaction: z.looseObject({ message_id: idString, emoji: z.string().optional() }),
});

const quantity = z.union([
  z.number(),
  z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number),
]);

export const orderMessageSchema = z.looseObject({
  ...messageBaseShape,
  type: z.literal('order'),
  order: z.looseObject({
    catalog_id: z.string(),
    text: z.string().optional(),
    product_items: z.array(
      z.looseObject({
        product_retailer_id: z.string(),
        quantity,
        item_price: quantity.optional(),
        currency: z.string().optional(),
      }),
    ),
  }),
});

/** A system notice, e.g. the user changed their phone number. */
export const systemMessageSchema = z.looseObject({
  ...messageBaseShape,
  type: z.literal('system'),
  system: z.looseObject({
    body: z.string().optional(),
    type: z.string().optional(),
    wa_id: z.string().optional(),
    new_wa_id: z.string().optional(),
    identity: z.string().optional(),
    customer: z.string().optional(),
  }),
});

/** Content the Cloud API cannot deliver to businesses; `errors` says why (131051). */
export const unsupportedMessageSchema = z.looseObject({
  ...messageBaseShape,
  type: z.literal('unsupported'),
  unsupported: z.looseObject({ type: z.string().optional() }).optional(),
});

/** A message whose `type` this package does not know. Only the common fields are checked. */
export const unknownInboundMessageSchema = z.looseObject({ ...messageBaseShape, type: z.string().min(1) });

export const knownInboundMessageSchemas = {
  text: textMessageSchema,
  image: imageMessageSchema,
  video: videoMessageSchema,
  audio: audioMessageSchema,
  document: documentMessageSchema,
  sticker: stickerMessageSchema,
  location: locationMessageSchema,
  contacts: contactsMessageSchema,
  interactive: interactiveMessageSchema,
  button: buttonMessageSchema,
  reaction: reactionMessageSchema,
  order: orderMessageSchema,
  system: systemMessageSchema,
  unsupported: unsupportedMessageSchema,
} as const;

export type KnownInboundMessageType = keyof typeof knownInboundMessageSchemas;
export type KnownInboundMessage = z.output<(typeof knownInboundMessageSchemas)[KnownInboundMessageType]>;
export type UnknownInboundMessage = z.output<typeof unknownInboundMessageSchema>;
export type InboundMessage = KnownInboundMessage | UnknownInboundMessage;
export type InboundMediaMessage = Extract<
  KnownInboundMessage,
  { type: 'image' | 'video' | 'audio' | 'document' | 'sticker' }
>;

export const inboundMessageSchema = keyedUnion(
  'type',
  knownInboundMessageSchemas,
  unknownInboundMessageSchema,
);

export function isKnownInboundMessage(message: InboundMessage): message is KnownInboundMessage {
  return Object.hasOwn(knownInboundMessageSchemas, message.type);
}

/** The sender as listed in `value.contacts[]`. `wa_id` is absent when the user hides their number. */
export const webhookContactSchema = z.looseObject({
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional(),
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  parent_user_id: z.string().optional(),
});
export type WebhookContact = z.infer<typeof webhookContactSchema>;
