import { z } from 'zod';
import { optOutSources } from './contacts.tables.js';

export const workspaceParams = z.object({ workspaceId: z.string() });
export const contactParams = z.object({ workspaceId: z.string(), contactId: z.string() });

export const contactSorts = ['created', 'name', 'last_inbound'] as const;
export type ContactSort = (typeof contactSorts)[number];
export const optStates = ['subscribed', 'opted_out', 'marketing_opted_out'] as const;
export type OptState = (typeof optStates)[number];

const filters = {
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .describe('Prefix of the name (or WhatsApp profile name), phone number or email'),
  tag: z.string().trim().min(1).max(50).optional().describe('Only contacts carrying this tag'),
  optState: z
    .enum(optStates)
    .optional()
    .describe(
      '`subscribed`: not opted out; `opted_out`: replied STOP or opted out by the team; ' +
        "`marketing_opted_out`: stopped marketing from WhatsApp's own menu",
    ),
};

export const listContactsQuery = z.object({
  ...filters,
  sort: z
    .enum(contactSorts)
    .default('created')
    .describe('`created`: newest first; `name`: A to Z; `last_inbound`: who wrote last, first'),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type ListContactsQuery = z.infer<typeof listContactsQuery>;

export const exportContactsQuery = z.object(filters);
export type ContactFilters = z.infer<typeof exportContactsQuery>;

const tagSchema = z.string().trim().min(1).max(50);
const tagsSchema = z
  .array(tagSchema)
  .max(50)
  .transform((tags) => [...new Set(tags)]);
const attributesSchema = z
  .record(z.string().trim().min(1).max(64), z.string().max(1024))
  .refine((value) => Object.keys(value).length <= 50, 'at most 50 attributes')
  .describe('Free-form fields the team keeps, e.g. {"city": "Pune"}');
const nameSchema = z.string().trim().min(1).max(200).nullable();
const emailSchema = z.email().max(254).nullable();

export const createContactBody = z.object({
  phone: z.string().trim().min(3).max(32).describe('Any common format; +country code, or a national number'),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional()
    .describe('ISO 3166 country of a national number without +, e.g. IN'),
  name: nameSchema.optional(),
  email: emailSchema.optional(),
  attributes: attributesSchema.optional(),
  tags: tagsSchema.optional(),
});
export type CreateContactInput = z.infer<typeof createContactBody>;

export const updateContactBody = z.object({
  name: nameSchema.optional(),
  email: emailSchema.optional(),
  attributes: attributesSchema.optional().describe('Replaces all attributes'),
  tags: tagsSchema.optional().describe('Replaces all tags'),
});
export type UpdateContactInput = z.infer<typeof updateContactBody>;

export const optChangeBody = z.object({
  reason: z.string().trim().min(3).max(500).describe('Why, for the history (e.g. "asked by phone")'),
});

export const contactSummary = z
  .object({
    id: z.string(),
    name: z.string().nullable().describe("The team's name for the contact, else the WhatsApp profile name"),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    tags: z.array(z.string()),
    optedOutAt: z.string().nullable(),
    marketingOptedOutAt: z.string().nullable(),
    lastInboundAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'ContactSummary' });

export const contactPage = z.object({ items: z.array(contactSummary), nextCursor: z.string().nullable() });

export const optEventSchema = z
  .object({
    id: z.string(),
    change: z.enum(['opt_out', 'opt_in', 'marketing_opt_out', 'marketing_opt_in']),
    source: z
      .enum(optOutSources)
      .describe(
        '`keyword`/`button`: the customer wrote STOP/START; `user_preferences`: WhatsApp marketing menu; ' +
          '`agent`/`api`: the team',
      ),
    detail: z.string().nullable().describe('The keyword matched, or the reason the team gave'),
    messageId: z.string().nullable(),
    actor: z.object({ id: z.string(), label: z.string().nullable() }).nullable(),
    occurredAt: z.string(),
  })
  .meta({ id: 'ContactOptEvent' });

export const contactDetail = contactSummary
  .extend({
    profileName: z.string().nullable(),
    customName: z.string().nullable().describe('The name the team set, if any'),
    waId: z.string().nullable(),
    attributes: z.record(z.string(), z.string()),
    updatedAt: z.string(),
    optHistory: z.array(optEventSchema).describe('Newest first, the latest 100'),
    conversations: z
      .array(z.object({ id: z.string(), channelId: z.string(), status: z.string() }))
      .describe('Conversations with this contact the caller may see'),
  })
  .meta({ id: 'Contact' });

export const tagCounts = z.object({
  items: z.array(z.object({ tag: z.string(), contacts: z.number().int() })),
});

const keywordsSchema = z.array(z.string().trim().min(1).max(64)).max(50);

export const optOutSettingsBody = z.object({
  stopKeywords: keywordsSchema.describe('Opt-out keywords on top of the built-in ones'),
  startKeywords: keywordsSchema.describe('Opt-in keywords on top of the built-in ones'),
  stopReply: z.string().trim().min(1).max(1024).describe('Sent after an opt-out keyword'),
  startReply: z.string().trim().min(1).max(1024).describe('Sent after an opt-in keyword'),
  sendConfirmation: z.boolean().describe('Send the two replies above'),
});
export type OptOutSettingsInput = z.infer<typeof optOutSettingsBody>;

export const optOutSettingsReply = optOutSettingsBody
  .extend({
    builtInStopKeywords: z.array(z.string()).describe('Always honoured (English, Hindi, Hinglish)'),
    builtInStartKeywords: z.array(z.string()),
  })
  .meta({ id: 'OptOutSettings' });
