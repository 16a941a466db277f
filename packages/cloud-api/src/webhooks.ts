import { z } from 'zod';
import { formatIssues, formatPath, idString, keyedUnion } from './schema-helpers.js';
import {
  accountUpdateSchema,
  businessCapabilityUpdateSchema,
  phoneNumberQualityUpdateSchema,
  templateCategoryUpdateSchema,
  templateQualityUpdateSchema,
  templateStatusUpdateSchema,
  userPreferencesValueSchema,
  webhookMetadataSchema,
} from './webhook-fields.js';
import {
  type InboundMessage,
  inboundMessageSchema,
  isKnownInboundMessage,
  type KnownInboundMessage,
  type UnknownInboundMessage,
  type WebhookContact,
  type WebhookError,
  webhookContactSchema,
  webhookErrorSchema,
} from './webhook-messages.js';
import { type MessageStatus, messageStatusSchema } from './webhook-statuses.js';

/** The value of a `messages` change: inbound messages, statuses of outbound ones, and errors. */
export const messagesValueSchema = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  metadata: webhookMetadataSchema,
  contacts: z.array(webhookContactSchema).optional(),
  messages: z.array(inboundMessageSchema).optional(),
  statuses: z.array(messageStatusSchema).optional(),
  errors: z.array(webhookErrorSchema).optional(),
});
export type MessagesValue = z.output<typeof messagesValueSchema>;

const change = <F extends string, V extends z.ZodType>(field: F, value: V) =>
  z.looseObject({ field: z.literal(field), value });

export const knownChangeSchemas = {
  messages: change('messages', messagesValueSchema),
  message_template_status_update: change('message_template_status_update', templateStatusUpdateSchema),
  message_template_quality_update: change('message_template_quality_update', templateQualityUpdateSchema),
  template_category_update: change('template_category_update', templateCategoryUpdateSchema),
  phone_number_quality_update: change('phone_number_quality_update', phoneNumberQualityUpdateSchema),
  account_update: change('account_update', accountUpdateSchema),
  business_capability_update: change('business_capability_update', businessCapabilityUpdateSchema),
  user_preferences: change('user_preferences', userPreferencesValueSchema),
} as const;

/** A change whose `field` this package does not know; its value is passed on untouched. */
export const unknownChangeSchema = z.looseObject({ field: z.string().min(1), value: z.unknown() });

export const webhookChangeSchema = keyedUnion('field', knownChangeSchemas, unknownChangeSchema);
export type WebhookChange = z.output<typeof webhookChangeSchema>;

export const webhookEntrySchema = z.looseObject({
  /** The WhatsApp Business Account id. */
  id: idString,
  time: z.number().optional(),
  changes: z.array(webhookChangeSchema),
});

export const webhookPayloadSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(webhookEntrySchema),
});
export type WebhookPayload = z.output<typeof webhookPayloadSchema>;

/** Where an item came from: the WABA of its entry, and the business number for `messages` changes. */
export interface WebhookItemOrigin {
  wabaId: string;
  /** Present for items of fields that carry `metadata` (messages, user_preferences). */
  phoneNumberId?: string;
  displayPhoneNumber?: string;
  entryIndex: number;
  changeIndex: number;
  /** `entry.time` in Unix seconds, when Meta sent one (business-management fields such as template updates). */
  entryTime?: number;
}

type ValueOf<F extends keyof typeof knownChangeSchemas> = z.output<(typeof knownChangeSchemas)[F]>['value'];

/** One thing that happened, flattened out of the batch. Switch on `kind`. */
export type WebhookItem =
  | (WebhookItemOrigin & {
      kind: 'message';
      phoneNumberId: string;
      displayPhoneNumber: string;
      message: KnownInboundMessage;
      contact?: WebhookContact;
    })
  | (WebhookItemOrigin & {
      kind: 'unknown_message';
      phoneNumberId: string;
      displayPhoneNumber: string;
      message: UnknownInboundMessage;
      contact?: WebhookContact;
    })
  | (WebhookItemOrigin & {
      kind: 'status';
      phoneNumberId: string;
      displayPhoneNumber: string;
      status: MessageStatus;
    })
  | (WebhookItemOrigin & {
      kind: 'error';
      phoneNumberId: string;
      displayPhoneNumber: string;
      error: WebhookError;
    })
  | (WebhookItemOrigin & {
      kind: 'user_preference';
      phoneNumberId: string;
      displayPhoneNumber: string;
      preference: ValueOf<'user_preferences'>['user_preferences'][number];
      contact?: WebhookContact;
    })
  | (WebhookItemOrigin & { kind: 'template_status'; update: ValueOf<'message_template_status_update'> })
  | (WebhookItemOrigin & { kind: 'template_quality'; update: ValueOf<'message_template_quality_update'> })
  | (WebhookItemOrigin & { kind: 'template_category'; update: ValueOf<'template_category_update'> })
  | (WebhookItemOrigin & { kind: 'phone_number_quality'; update: ValueOf<'phone_number_quality_update'> })
  | (WebhookItemOrigin & { kind: 'account_update'; update: ValueOf<'account_update'> })
  | (WebhookItemOrigin & { kind: 'business_capability'; update: ValueOf<'business_capability_update'> })
  | (WebhookItemOrigin & { kind: 'unknown_change'; field: string; value: unknown });

export type WebhookItemKind = WebhookItem['kind'];

/** The body did not match Meta's documented shape. `issues` lists every problem with its path. */
export class WebhookPayloadError extends Error {
  override readonly name = 'WebhookPayloadError';
  readonly issues: readonly { path: string; message: string }[];

  constructor(error: z.ZodError) {
    super(`Invalid webhook payload: ${formatIssues(error)}`);
    this.issues = error.issues.map((issue) => ({
      path: formatPath(issue.path),
      message: issue.message,
    }));
  }
}

export type WebhookParseResult =
  | { success: true; payload: WebhookPayload; items: WebhookItem[] }
  | { success: false; error: WebhookPayloadError };

/** Validates a parsed webhook body and flattens it; never throws. */
export function safeParseWebhookPayload(body: unknown): WebhookParseResult {
  const result = webhookPayloadSchema.safeParse(body);
  if (!result.success) return { success: false, error: new WebhookPayloadError(result.error) };
  return { success: true, payload: result.data, items: flattenWebhookPayload(result.data) };
}

/**
 * Validates a parsed webhook body and returns every item in it, in order: every entry, every change,
 * every message, status and error. Throws `WebhookPayloadError` when the body is not a valid payload.
 */
export function parseWebhookPayload(body: unknown): WebhookItem[] {
  const result = safeParseWebhookPayload(body);
  if (!result.success) throw result.error;
  return result.items;
}

/** Flattens an already validated payload. */
export function flattenWebhookPayload(payload: WebhookPayload): WebhookItem[] {
  const items: WebhookItem[] = [];
  payload.entry.forEach((entry, entryIndex) => {
    entry.changes.forEach((change, changeIndex) => {
      const origin: BaseOrigin = { wabaId: entry.id, entryIndex, changeIndex };
      if (entry.time !== undefined) origin.entryTime = entry.time;
      items.push(...flattenChange(change, origin));
    });
  });
  return items;
}

type BaseOrigin = Pick<WebhookItemOrigin, 'wabaId' | 'entryIndex' | 'changeIndex' | 'entryTime'>;

function flattenChange(change: WebhookChange, origin: BaseOrigin): WebhookItem[] {
  switch (change.field) {
    case 'messages':
      return flattenMessagesValue(change.value as MessagesValue, origin);
    case 'user_preferences': {
      const value = change.value as ValueOf<'user_preferences'>;
      const at = withMetadata(origin, value.metadata);
      return value.user_preferences.map((preference) => ({
        ...at,
        kind: 'user_preference' as const,
        preference,
        contact: findContact(value.contacts, preference.wa_id, preference.user_id),
      }));
    }
    case 'message_template_status_update':
      return [{ ...origin, kind: 'template_status', update: change.value as ValueOf<typeof change.field> }];
    case 'message_template_quality_update':
      return [{ ...origin, kind: 'template_quality', update: change.value as ValueOf<typeof change.field> }];
    case 'template_category_update':
      return [{ ...origin, kind: 'template_category', update: change.value as ValueOf<typeof change.field> }];
    case 'phone_number_quality_update':
      return [
        { ...origin, kind: 'phone_number_quality', update: change.value as ValueOf<typeof change.field> },
      ];
    case 'account_update':
      return [{ ...origin, kind: 'account_update', update: change.value as ValueOf<typeof change.field> }];
    case 'business_capability_update':
      return [
        { ...origin, kind: 'business_capability', update: change.value as ValueOf<typeof change.field> },
      ];
    default:
      return [{ ...origin, kind: 'unknown_change', field: change.field, value: change.value }];
  }
}

function withMetadata(origin: BaseOrigin, metadata: z.output<typeof webhookMetadataSchema>) {
  return {
    ...origin,
    phoneNumberId: metadata.phone_number_id,
    displayPhoneNumber: metadata.display_phone_number,
  };
}

function flattenMessagesValue(value: MessagesValue, origin: BaseOrigin): WebhookItem[] {
  const at = withMetadata(origin, value.metadata);
  const items: WebhookItem[] = [];
  for (const message of value.messages ?? []) items.push(messageItem(message, at, value.contacts));
  for (const status of value.statuses ?? []) items.push({ ...at, kind: 'status', status });
  for (const error of value.errors ?? []) items.push({ ...at, kind: 'error', error });
  return items;
}

function messageItem(
  message: InboundMessage,
  at: ReturnType<typeof withMetadata>,
  contacts: WebhookContact[] | undefined,
): WebhookItem {
  const contact = findContact(contacts, message.from, message.from_user_id);
  if (isKnownInboundMessage(message)) return { ...at, kind: 'message', message, contact };
  return { ...at, kind: 'unknown_message', message, contact };
}

/** The contact entry for a sender: matched by phone or BSUID, or the only one listed. */
function findContact(
  contacts: WebhookContact[] | undefined,
  waId: string | undefined,
  userId: string | undefined,
): WebhookContact | undefined {
  if (!contacts || contacts.length === 0) return undefined;
  const match = contacts.find(
    // An empty `from` / `wa_id` means the number is hidden; only a real value identifies the contact.
    (c) =>
      (waId !== undefined && waId !== '' && c.wa_id === waId) ||
      (userId !== undefined && c.user_id === userId),
  );
  if (match) return match;
  return contacts.length === 1 ? contacts[0] : undefined;
}
