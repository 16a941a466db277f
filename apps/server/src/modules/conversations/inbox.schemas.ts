import { z } from 'zod';
import { labelSchema } from './conversations.schemas.js';

export const labelParams = z.object({ workspaceId: z.string(), labelId: z.string() });
export const quickReplyParams = z.object({ workspaceId: z.string(), quickReplyId: z.string() });
export const agentParams = z.object({ workspaceId: z.string(), userId: z.string() });

export const labelList = z.object({ items: z.array(labelSchema) });
const labelName = z.string().trim().min(1).max(50);
const labelColor = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #1f883d')
  .transform((c) => c.toLowerCase());
export const createLabelBody = z.object({ name: labelName, color: labelColor });
export const updateLabelBody = z
  .object({ name: labelName, color: labelColor })
  .partial()
  .refine((v) => v.name !== undefined || v.color !== undefined, 'give a name or a colour');
export const setLabelsBody = z.object({ labelIds: z.array(z.string()).max(50) });

export const noteSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    body: z.string(),
    author: z.object({ id: z.string(), name: z.string() }),
    mentions: z.array(z.object({ userId: z.string(), name: z.string() })),
    createdAt: z.string(),
  })
  .meta({ id: 'ConversationNote' });
export const noteList = z.object({ items: z.array(noteSchema) });
export const createNoteBody = z.object({
  body: z
    .string()
    .trim()
    .min(1)
    .max(4000)
    .describe('Internal text for the team; `@name` or `@email-local-part` notifies a member'),
});

export const quickReplySchema = z
  .object({ id: z.string(), shortcut: z.string(), body: z.string() })
  .meta({ id: 'QuickReply' });
export const quickReplyList = z.object({ items: z.array(quickReplySchema) });
const shortcut = z
  .string()
  .trim()
  .regex(/^\/?[A-Za-z0-9_-]{1,32}$/, 'letters, digits, - and _ (up to 32), an optional leading /');
const replyBody = z.string().min(1).max(4096);
export const quickReplyQuery = z.object({
  q: z.string().max(33).optional().describe('A shortcut prefix, with or without the leading /'),
});
export const createQuickReplyBody = z.object({
  shortcut,
  body: replyBody.describe(
    'Variables: {{contact.name}}, {{contact.first_name}}, {{contact.phone}}, ' +
      '{{contact.<attribute>}}, {{agent.name}}, {{agent.email}}',
  ),
});
export const updateQuickReplyBody = z
  .object({ shortcut, body: replyBody })
  .partial()
  .refine((v) => v.shortcut !== undefined || v.body !== undefined, 'give a shortcut or a body');
export const renderQuickReplyBody = z.object({ conversationId: z.string() });
export const renderedQuickReply = z.object({ text: z.string() });

export const searchQuery = z.object({
  q: z.string().trim().min(1).max(200),
  type: z.enum(['messages', 'contacts']).default('messages'),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
const messageHit = z
  .object({
    messageId: z.string(),
    conversationId: z.string(),
    contact: z.object({ id: z.string(), name: z.string().nullable(), phone: z.string().nullable() }),
    snippet: z.string().describe('The matching text, matches between « and »'),
    createdAt: z.string(),
  })
  .meta({ id: 'MessageSearchHit' });
const contactHit = z
  .object({
    contactId: z.string(),
    name: z.string().nullable(),
    phone: z.string().nullable(),
    conversationId: z.string().nullable().describe('Its latest conversation the caller may see'),
  })
  .meta({ id: 'ContactSearchHit' });
export const searchResult = z.object({
  items: z.array(z.union([messageHit, contactHit])),
  nextCursor: z.string().nullable(),
});

export const agentAssignmentSchema = z
  .object({
    userId: z.string(),
    name: z.string(),
    role: z.string(),
    autoAssign: z.boolean().describe('Takes part in auto-assignment'),
    maxOpen: z.number().int().min(1).nullable().describe("Own cap; null: the workspace's maxOpenPerAgent"),
  })
  .meta({ id: 'AgentAssignmentSettings' });
export const agentAssignmentList = z.object({ items: z.array(agentAssignmentSchema) });
export const updateAgentAssignmentBody = z.object({
  autoAssign: z.boolean(),
  maxOpen: z.number().int().min(1).nullable(),
});
