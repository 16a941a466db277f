import { z } from 'zod';
import { messageStatuses } from '../messages/messages.tables.js';
import { conversationStatuses, historyKinds } from './conversations.tables.js';

export const workspaceParams = z.object({ workspaceId: z.string() });
export const conversationParams = z.object({ workspaceId: z.string(), conversationId: z.string() });

const pageLimit = z.coerce.number().int().min(1).max(100).default(25);

export const listConversationsQuery = z.object({
  status: z.enum(conversationStatuses).optional(),
  /** `me`, `unassigned`, `anyone` (the default), or a member's user id. */
  assignee: z.string().min(1).default('anyone'),
  channelId: z.string().optional(),
  label: z.string().optional().describe('A label id: only conversations carrying it'),
  unread: z.stringbool().optional().describe('true: only conversations with unread messages; false: none'),
  window: z.enum(['open', 'closed']).optional().describe("The 24-hour customer-service window's state now"),
  sort: z
    .enum(['last_activity', 'waiting_longest'])
    .default('last_activity')
    .describe(
      '`last_activity`: newest activity first. `waiting_longest`: only conversations whose customer wrote ' +
        'last, the oldest such message first.',
    ),
  cursor: z.string().optional(),
  limit: pageLimit,
});
export type ListConversationsQuery = z.infer<typeof listConversationsQuery>;

export const listMessagesQuery = z.object({ cursor: z.string().optional(), limit: pageLimit });

export const assignBody = z.object({
  /** A member's user id, or null to unassign. */
  assigneeId: z.string().min(1).nullable(),
});

export const statusBody = z.discriminatedUnion('status', [
  z.object({ status: z.enum(['open', 'pending', 'resolved']) }),
  z.object({ status: z.literal('snoozed'), until: z.coerce.date() }),
]);
export type StatusChange = z.infer<typeof statusBody>;

export const inboxSettingsSchema = z
  .object({
    agentsSeeUnassigned: z.boolean(),
    autoAssign: z
      .boolean()
      .describe('New inbound conversations go round-robin to online members who take auto-assignment'),
    maxOpenPerAgent: z
      .number()
      .int()
      .min(1)
      .nullable()
      .describe('Auto-assignment skips members with this many open conversations; null: no cap'),
  })
  .meta({ id: 'InboxSettings' });
export const updateInboxSettingsBody = inboxSettingsSchema.partial();

const windowSchema = z
  .discriminatedUnion('open', [
    z.object({ open: z.literal(true), closesAt: z.string() }),
    z.object({ open: z.literal(false), closedAt: z.string().nullable() }),
  ])
  .meta({ id: 'CustomerServiceWindow' });

const assigneeSchema = z
  .object({ userId: z.string(), name: z.string().nullable(), email: z.string().nullable() })
  .nullable();

export const labelSchema = z
  .object({ id: z.string(), name: z.string(), color: z.string() })
  .meta({ id: 'Label' });

const contactSummary = z.object({
  id: z.string(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  optedOut: z.boolean(),
});

const lastMessageSchema = z
  .object({
    id: z.string(),
    direction: z.enum(['inbound', 'outbound']),
    type: z.string(),
    preview: z.string().nullable(),
    status: z.enum(messageStatuses),
    occurredAt: z.string(),
  })
  .nullable();

export const conversationSummary = z
  .object({
    id: z.string(),
    channelId: z.string(),
    status: z.enum(conversationStatuses),
    snoozedUntil: z.string().nullable(),
    unreadCount: z.number().int(),
    lastMessageAt: z.string().nullable(),
    lastInboundAt: z.string().nullable(),
    contact: contactSummary,
    assignee: assigneeSchema,
    lastMessage: lastMessageSchema,
    window: windowSchema,
    labels: z.array(labelSchema),
  })
  .meta({ id: 'ConversationSummary' });

export const conversationPage = z.object({
  items: z.array(conversationSummary),
  nextCursor: z.string().nullable(),
});

const filterCounts = z.object({
  open: z.number().int().describe('Conversations with status open'),
  unread: z.number().int().describe('Conversations with unread messages'),
});
export const conversationCounts = z
  .object({ mine: filterCounts, unassigned: filterCounts, all: filterCounts })
  .meta({ id: 'ConversationCounts' });

const historyEntrySchema = z
  .object({
    at: z.string(),
    kind: z.enum(historyKinds),
    from: z
      .string()
      .nullable()
      .describe('status: a status; assigned: the member name; snoozed: the status before; labels: names'),
    to: z.string().nullable().describe('As `from`; snoozed: the time the snooze ends'),
    actor: z.object({ id: z.string(), name: z.string() }).nullable().describe('null: the system'),
  })
  .meta({ id: 'ConversationHistoryEntry' });

export const composerModes = ['free_form', 'templates_only', 'blocked'] as const;
export type ComposerMode = (typeof composerModes)[number];

export const conversationDetail = z
  .object({
    id: z.string(),
    channelId: z.string(),
    status: z.enum(conversationStatuses),
    snoozedUntil: z.string().nullable(),
    unreadCount: z.number().int(),
    lastMessageAt: z.string().nullable(),
    lastInboundAt: z.string().nullable(),
    createdAt: z.string(),
    contact: z.object({
      id: z.string(),
      name: z.string().nullable(),
      profileName: z.string().nullable(),
      phone: z.string().nullable(),
      waId: z.string().nullable(),
      attributes: z.record(z.string(), z.string()),
      tags: z.array(z.string()),
      optedOutAt: z.string().nullable(),
      marketingOptedOutAt: z.string().nullable(),
    }),
    assignee: assigneeSchema,
    window: windowSchema,
    composer: z
      .enum(composerModes)
      .describe(
        '`free_form` inside the 24-hour window; `templates_only` outside it; `blocked` when the contact opted out',
      ),
    labels: z.array(labelSchema),
    history: z
      .array(historyEntrySchema)
      .describe('Status, assignment, snooze and label changes, oldest first'),
    firstResponseAt: z
      .string()
      .nullable()
      .describe("A member's first reply after the customer's first message"),
    firstResponseSeconds: z.number().int().nullable(),
    resolvedAt: z.string().nullable().describe('When it was resolved, while it stays resolved'),
    resolutionSeconds: z
      .number()
      .int()
      .nullable()
      .describe("From the customer's first message (or the conversation's creation) to resolvedAt"),
  })
  .meta({ id: 'Conversation' });

export const threadMessage = z
  .object({
    id: z.string(),
    direction: z.enum(['inbound', 'outbound']),
    type: z.string(),
    wamid: z.string().nullable(),
    content: z.record(z.string(), z.unknown()),
    preview: z.string().nullable(),
    status: z.enum(messageStatuses),
    error: z
      .object({
        code: z.number(),
        title: z.string().optional(),
        message: z.string().optional(),
        reason: z.string().optional(),
      })
      .nullable(),
    media: z
      .object({
        state: z.enum(['pending', 'stored', 'failed']),
        mimeType: z.string().optional(),
        fileName: z.string().optional(),
        error: z.string().optional(),
      })
      .nullable(),
    contextWamid: z.string().nullable(),
    senderId: z.string().nullable(),
    occurredAt: z.string(),
    sentAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    readAt: z.string().nullable(),
    failedAt: z.string().nullable(),
  })
  .meta({ id: 'ConversationMessage' });

export const messagePage = z.object({ items: z.array(threadMessage), nextCursor: z.string().nullable() });
