import { and, desc, eq, gt, inArray, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import type { WorkspaceAccess } from '../../platform/http/auth.js';
import { visibleTo } from '../../platform/http/tenant.js';
import { contacts } from '../contacts/contacts.tables.js';
import { users } from '../identity/identity.tables.js';
import { messages } from '../messages/messages.tables.js';
import { workspaceMembers } from '../workspaces/workspaces.tables.js';
import {
  type ConversationRow,
  type ConversationStatus,
  conversationLabels,
  conversations,
  inboxSettings,
} from './conversations.tables.js';
import type { Position } from './cursor.js';

/**
 * What one caller may see of a workspace's conversations, as a `where` fragment. Every query here
 * takes it, so the tenant and the role rule ride in the SQL and no result is ever filtered afterwards.
 * Build it with conversationScope(); the brand keeps hand-made objects out.
 */
export interface ConversationScope {
  readonly workspaceId: string;
  /** The calling user, null for API keys. */
  readonly userId: string | null;
  readonly where: SQL;
  readonly __scope: unique symbol;
}

export function conversationScope(
  access: Pick<WorkspaceAccess, 'workspaceId' | 'principal' | 'can'>,
  settings: { agentsSeeUnassigned: boolean },
): ConversationScope {
  const unassigned = settings.agentsSeeUnassigned;
  let where = visibleTo(access, {
    workspaceId: conversations.workspaceId,
    readAll: 'conversations.read.all',
    readAssigned: 'conversations.read.assigned',
    assignedTo: (userId) =>
      unassigned
        ? (or(eq(conversations.assigneeId, userId), isNull(conversations.assigneeId)) as SQL)
        : eq(conversations.assigneeId, userId),
  });
  // An Agent-role key has nobody to be assigned to; the workspace's allowance still opens the unassigned.
  const keyWithAssignedOnly =
    access.principal.kind === 'api_key' &&
    !access.can('conversations.read.all') &&
    access.can('conversations.read.assigned');
  if (keyWithAssignedOnly && unassigned) {
    where = and(eq(conversations.workspaceId, access.workspaceId), isNull(conversations.assigneeId)) as SQL;
  }
  const userId = access.principal.kind === 'user' ? access.principal.userId : null;
  return { workspaceId: access.workspaceId, userId, where } as ConversationScope;
}

export type InboxSettings = {
  agentsSeeUnassigned: boolean;
  autoAssign: boolean;
  maxOpenPerAgent: number | null;
};

export async function loadInboxSettings(db: Executor, workspaceId: string): Promise<InboxSettings> {
  const [row] = await db.select().from(inboxSettings).where(eq(inboxSettings.workspaceId, workspaceId));
  return {
    agentsSeeUnassigned: row?.agentsSeeUnassigned ?? false,
    autoAssign: row?.autoAssign ?? false,
    maxOpenPerAgent: row?.maxOpenPerAgent ?? null,
  };
}

/** Writes the given settings; the others keep their stored (or default) values. */
export async function saveInboxSettings(tx: Executor, workspaceId: string, values: Partial<InboxSettings>) {
  await tx
    .insert(inboxSettings)
    .values({ workspaceId, ...values })
    .onConflictDoUpdate({ target: inboxSettings.workspaceId, set: { ...values, updatedAt: new Date() } });
}

export type ConversationSort = 'last_activity' | 'waiting_longest';

export interface ConversationFilters {
  status?: ConversationStatus;
  /** A user id, or null for unassigned; absent for anyone. */
  assigneeId?: string | null;
  channelId?: string;
  labelId?: string;
  unread?: boolean;
  window?: 'open' | 'closed';
  /** Where the 24-hour window is measured from: last inbound after this instant means open. */
  windowOpensAfter: Date;
}

const activity = sql`coalesce(${conversations.lastMessageAt}, ${conversations.createdAt})`;

/** The customer wrote last: no outbound message after their latest one. */
const customerWroteLast = sql`(${conversations.lastInboundAt} is not null and not exists (
  select 1 from ${messages} m
  where m.workspace_id = ${conversations.workspaceId} and m.conversation_id = ${conversations.id}
    and m.direction = 'outbound' and m.occurred_at > ${conversations.lastInboundAt}))`;

function filterWhere(filters: ConversationFilters): SQL[] {
  const where: SQL[] = [];
  if (filters.status) where.push(eq(conversations.status, filters.status));
  if (filters.assigneeId === null) where.push(isNull(conversations.assigneeId));
  else if (filters.assigneeId !== undefined) where.push(eq(conversations.assigneeId, filters.assigneeId));
  if (filters.channelId) where.push(eq(conversations.channelId, filters.channelId));
  if (filters.labelId) {
    where.push(sql`exists (
      select 1 from ${conversationLabels} cl
      where cl.workspace_id = ${conversations.workspaceId} and cl.label_id = ${filters.labelId}
        and cl.conversation_id = ${conversations.id})`);
  }
  if (filters.unread === true) where.push(gt(conversations.unreadCount, 0));
  if (filters.unread === false) where.push(eq(conversations.unreadCount, 0));
  const windowOpen = gt(conversations.lastInboundAt, filters.windowOpensAfter);
  if (filters.window === 'open') where.push(windowOpen);
  if (filters.window === 'closed') {
    where.push(
      or(
        isNull(conversations.lastInboundAt),
        lte(conversations.lastInboundAt, filters.windowOpensAfter),
      ) as SQL,
    );
  }
  return where;
}

const summaryColumns = {
  conversation: conversations,
  contactName: sql<string | null>`coalesce(${contacts.name}, ${contacts.profileName})`,
  contactPhone: contacts.phoneE164,
  contactOptedOutAt: contacts.optedOutAt,
  assigneeName: users.name,
  assigneeEmail: users.email,
};

export async function listConversations(
  db: Executor,
  scope: ConversationScope,
  filters: ConversationFilters,
  sort: ConversationSort,
  page: { after?: Position; limit: number },
) {
  const newestFirst = sort === 'last_activity';
  const key = newestFirst ? activity : sql`${conversations.lastInboundAt}`;
  const where = [scope.where, ...filterWhere(filters)];
  if (!newestFirst) where.push(customerWroteLast);
  if (page.after) {
    const at = sql`(${page.after.key}::timestamptz, ${page.after.id})`;
    where.push(
      newestFirst ? sql`(${key}, ${conversations.id}) < ${at}` : sql`(${key}, ${conversations.id}) > ${at}`,
    );
  }
  return db
    .select({ ...summaryColumns, sortKey: sql<string>`(${key})::text` })
    .from(conversations)
    .innerJoin(
      contacts,
      and(eq(contacts.id, conversations.contactId), eq(contacts.workspaceId, conversations.workspaceId)),
    )
    .leftJoin(users, eq(users.id, conversations.assigneeId))
    .where(and(...where))
    .orderBy(...(newestFirst ? [desc(key), desc(conversations.id)] : [key, conversations.id]))
    .limit(page.limit);
}

export type ConversationSummaryRow = Awaited<ReturnType<typeof listConversations>>[number];

/** The latest message of each conversation (one query for a whole page). */
export async function latestMessages(db: Executor, workspaceId: string, conversationIds: string[]) {
  if (conversationIds.length === 0) return [];
  return db
    .selectDistinctOn([messages.conversationId], {
      conversationId: messages.conversationId,
      id: messages.id,
      direction: messages.direction,
      type: messages.type,
      preview: messages.preview,
      status: messages.status,
      occurredAt: messages.occurredAt,
    })
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), inArray(messages.conversationId, conversationIds)))
    .orderBy(messages.conversationId, desc(messages.occurredAt), desc(messages.id));
}

/** Open and unread conversations per sidebar filter, in one pass over what the caller may see. */
export async function countConversations(db: Executor, scope: ConversationScope) {
  const mine = scope.userId ? eq(conversations.assigneeId, scope.userId) : sql`false`;
  const unassigned = isNull(conversations.assigneeId);
  const open = eq(conversations.status, 'open');
  const unread = gt(conversations.unreadCount, 0);
  const tally = (...conditions: SQL[]) =>
    sql<number>`count(*) filter (where ${and(...conditions)})`.mapWith(Number);
  const [row] = await db
    .select({
      mineOpen: tally(mine, open),
      mineUnread: tally(mine, unread),
      unassignedOpen: tally(unassigned, open),
      unassignedUnread: tally(unassigned, unread),
      allOpen: tally(open),
      allUnread: tally(unread),
    })
    .from(conversations)
    .where(scope.where);
  return row;
}

export async function findConversation(db: Executor, scope: ConversationScope, conversationId: string) {
  const [row] = await db
    .select({
      conversation: conversations,
      contact: contacts,
      assigneeName: users.name,
      assigneeEmail: users.email,
    })
    .from(conversations)
    .innerJoin(
      contacts,
      and(eq(contacts.id, conversations.contactId), eq(contacts.workspaceId, conversations.workspaceId)),
    )
    .leftJoin(users, eq(users.id, conversations.assigneeId))
    .where(and(scope.where, eq(conversations.id, conversationId)));
  return row;
}

export type ConversationDetailRow = NonNullable<Awaited<ReturnType<typeof findConversation>>>;

/** Locks a visible conversation for a change; undefined when the caller may not see it. */
export async function lockConversation(
  tx: Executor,
  scope: ConversationScope,
  conversationId: string,
): Promise<ConversationRow | undefined> {
  const [row] = await tx
    .select()
    .from(conversations)
    .where(and(scope.where, eq(conversations.id, conversationId)))
    .for('update');
  return row;
}

/** A conversation by id, without visibility: for reading back after a change the caller was allowed. */
export async function conversationById(db: Executor, workspaceId: string, conversationId: string) {
  const [row] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, conversationId)));
  return row;
}

export async function updateConversation(
  tx: Executor,
  workspaceId: string,
  conversationId: string,
  values: Partial<Pick<ConversationRow, 'assigneeId' | 'status' | 'snoozedUntil' | 'unreadCount'>>,
) {
  await tx
    .update(conversations)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, conversationId)));
}

/** Messages of one conversation, newest first, before `after` when given. */
export async function listThread(
  db: Executor,
  workspaceId: string,
  conversationId: string,
  page: { after?: Position; limit: number },
) {
  const where = [eq(messages.workspaceId, workspaceId), eq(messages.conversationId, conversationId)];
  if (page.after) {
    where.push(
      sql`(${messages.occurredAt}, ${messages.id}) < (${page.after.key}::timestamptz, ${page.after.id})`,
    );
  }
  return db
    .select({ message: messages, sortKey: sql<string>`(${messages.occurredAt})::text` })
    .from(messages)
    .where(and(...where))
    .orderBy(desc(messages.occurredAt), desc(messages.id))
    .limit(page.limit);
}

/** The latest inbound message of a conversation: the one a read receipt points at. */
export async function lastInboundMessage(db: Executor, workspaceId: string, conversationId: string) {
  const [row] = await db
    .select({ id: messages.id, wamid: messages.wamid, channelId: messages.channelId })
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.conversationId, conversationId),
        eq(messages.direction, 'inbound'),
      ),
    )
    .orderBy(desc(messages.occurredAt), desc(messages.id))
    .limit(1);
  return row;
}

/** The user id of a member, given either the member id or the user id; undefined for non-members. */
export async function memberUserId(db: Executor, workspaceId: string, ref: string) {
  const [row] = await db
    .select({ userId: workspaceMembers.userId })
    .from(workspaceMembers)
    .where(
      and(
        eq(workspaceMembers.workspaceId, workspaceId),
        or(eq(workspaceMembers.id, ref), eq(workspaceMembers.userId, ref)),
      ),
    );
  return row?.userId;
}

/** The assignee of each of these conversations of the workspace (one query, for event filtering). */
export async function assigneesOf(db: Executor, workspaceId: string, conversationIds: string[]) {
  return db
    .select({ id: conversations.id, assigneeId: conversations.assigneeId })
    .from(conversations)
    .where(and(eq(conversations.workspaceId, workspaceId), inArray(conversations.id, conversationIds)));
}

export async function userName(db: Executor, userId: string) {
  const [row] = await db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, userId));
  return row;
}
