import { z } from 'zod';
import type { Database, Executor } from '../../platform/db/client.js';
import type { WorkspaceAccess } from '../../platform/http/auth.js';
import { recordAudit } from '../audit/audit.service.js';
import * as repo from './conversations.repository.js';
import type { ListConversationsQuery, StatusChange } from './conversations.schemas.js';
import { toDetail, toSummary, toThreadMessage } from './conversations.views.js';
import { CUSTOMER_SERVICE_WINDOW_MS } from './window.js';

type Access = Pick<WorkspaceAccess, 'workspaceId' | 'principal' | 'can' | 'actor'>;
type Result<T, F extends string> = { ok: true; value: T } | { ok: false; reason: F };

export type ListFailure = 'bad_cursor' | 'me_without_user' | 'unknown_assignee';

/** The caller's visibility, with the workspace's setting for unassigned conversations read once. */
export async function scopeFor(db: Executor, access: Access): Promise<repo.ConversationScope> {
  return repo.conversationScope(access, await repo.loadInboxSettings(db, access.workspaceId));
}

// Cursors are opaque to clients: the sort they belong to, the exact sort key, and the row id.
const cursorShape = z.object({ s: z.string(), k: z.string(), i: z.string() });

function encodeCursor(sort: string, position: repo.Position): string {
  return Buffer.from(JSON.stringify({ s: sort, k: position.key, i: position.id })).toString('base64url');
}

function decodeCursor(sort: string, cursor: string | undefined): repo.Position | null | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = cursorShape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (!parsed.success || parsed.data.s !== sort || Number.isNaN(Date.parse(parsed.data.k))) return null;
    return { key: parsed.data.k, id: parsed.data.i };
  } catch {
    return null;
  }
}

/** Fetches one more row than asked, to know whether another page exists. */
function pageOf<T>(rows: T[], limit: number, position: (row: T) => repo.Position, sort: string) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(sort, position(last)) : null };
}

export async function listConversationPage(
  db: Database,
  access: Access,
  query: ListConversationsQuery,
  now: Date = new Date(),
) {
  const after = decodeCursor(query.sort, query.cursor);
  if (after === null) return fail<ListFailure>('bad_cursor');
  const scope = await scopeFor(db, access);
  let assigneeId: string | null | undefined;
  if (query.assignee === 'me') {
    if (!scope.userId) return fail<ListFailure>('me_without_user');
    assigneeId = scope.userId;
  } else if (query.assignee === 'unassigned') assigneeId = null;
  else if (query.assignee !== 'anyone') {
    assigneeId = await repo.memberUserId(db, access.workspaceId, query.assignee);
    if (!assigneeId) return fail<ListFailure>('unknown_assignee');
  }
  const filters: repo.ConversationFilters = {
    status: query.status,
    assigneeId,
    channelId: query.channelId,
    unread: query.unread,
    window: query.window,
    windowOpensAfter: new Date(now.getTime() - CUSTOMER_SERVICE_WINDOW_MS),
  };
  const rows = await repo.listConversations(db, scope, filters, query.sort, {
    after,
    limit: query.limit + 1,
  });
  const page = pageOf(rows, query.limit, (r) => ({ key: r.sortKey, id: r.conversation.id }), query.sort);
  const latest = await repo.latestMessages(
    db,
    access.workspaceId,
    page.items.map((r) => r.conversation.id),
  );
  const byConversation = new Map(latest.map((m) => [m.conversationId, m]));
  return {
    ok: true as const,
    value: {
      items: page.items.map((r) => toSummary(r, byConversation.get(r.conversation.id), now)),
      nextCursor: page.nextCursor,
    },
  };
}

export async function conversationCounts(db: Database, access: Access) {
  const row = await repo.countConversations(db, await scopeFor(db, access));
  return {
    mine: { open: row?.mineOpen ?? 0, unread: row?.mineUnread ?? 0 },
    unassigned: { open: row?.unassignedOpen ?? 0, unread: row?.unassignedUnread ?? 0 },
    all: { open: row?.allOpen ?? 0, unread: row?.allUnread ?? 0 },
  };
}

export async function getConversation(
  db: Executor,
  access: Access,
  conversationId: string,
  now: Date = new Date(),
) {
  const row = await repo.findConversation(db, await scopeFor(db, access), conversationId);
  return row ? toDetail(row, now) : undefined;
}

export async function listConversationMessages(
  db: Database,
  access: Access,
  conversationId: string,
  page: { cursor?: string; limit: number },
): Promise<
  Result<
    { items: ReturnType<typeof toThreadMessage>[]; nextCursor: string | null },
    'not_found' | 'bad_cursor'
  >
> {
  const after = decodeCursor('thread', page.cursor);
  if (after === null) return fail('bad_cursor');
  const scope = await scopeFor(db, access);
  if (!(await repo.findConversation(db, scope, conversationId))) return fail('not_found');
  const rows = await repo.listThread(db, access.workspaceId, conversationId, {
    after,
    limit: page.limit + 1,
  });
  const result = pageOf(rows, page.limit, (r) => ({ key: r.sortKey, id: r.message.id }), 'thread');
  return {
    ok: true,
    value: { items: result.items.map((r) => toThreadMessage(r.message)), nextCursor: result.nextCursor },
  };
}

/** Runs a change on a visible conversation inside one transaction; not_found when it is not visible. */
async function changeConversation<F extends string>(
  db: Database,
  access: Access,
  conversationId: string,
  change: (
    tx: Executor,
    row: NonNullable<Awaited<ReturnType<typeof repo.lockConversation>>>,
  ) => Promise<F | null>,
): Promise<Result<NonNullable<Awaited<ReturnType<typeof getConversation>>>, F | 'not_found'>> {
  return db.transaction(async (tx) => {
    const scope = await scopeFor(tx, access);
    const row = await repo.lockConversation(tx, scope, conversationId);
    if (!row) return fail('not_found' as const);
    const refused = await change(tx, row);
    if (refused) return fail(refused);
    // Read back with the same scope: a change never widens what the caller sees.
    const detail = await getConversation(tx, access, conversationId);
    return detail ? { ok: true as const, value: detail } : fail('not_found' as const);
  });
}

export type AssignFailure = 'assignee_not_member';

export async function assignConversation(
  db: Database,
  access: Access,
  conversationId: string,
  assigneeRef: string | null,
) {
  return changeConversation<AssignFailure>(db, access, conversationId, async (tx, row) => {
    const assigneeId =
      assigneeRef === null ? null : await repo.memberUserId(tx, access.workspaceId, assigneeRef);
    if (assigneeId === undefined) return 'assignee_not_member';
    if (assigneeId === row.assigneeId) return null;
    await repo.updateConversation(tx, access.workspaceId, row.id, { assigneeId });
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: assigneeId ? 'conversation.assigned' : 'conversation.unassigned',
      resourceType: 'conversation',
      resourceId: row.id,
      before: { assigneeId: row.assigneeId },
      after: { assigneeId },
    });
    return null;
  });
}

export type StatusFailure = 'snooze_in_past';

/** Sets the status; snoozing needs a time ahead. Status history is the audit trail of these rows. */
export async function changeStatus(
  db: Database,
  access: Access,
  conversationId: string,
  change: StatusChange,
  now: Date = new Date(),
) {
  return changeConversation<StatusFailure>(db, access, conversationId, async (tx, row) => {
    const snoozedUntil = change.status === 'snoozed' ? change.until : null;
    if (snoozedUntil && snoozedUntil.getTime() <= now.getTime()) return 'snooze_in_past';
    if (row.status === change.status && row.snoozedUntil?.getTime() === snoozedUntil?.getTime()) return null;
    await repo.updateConversation(tx, access.workspaceId, row.id, { status: change.status, snoozedUntil });
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'conversation.status_changed',
      resourceType: 'conversation',
      resourceId: row.id,
      before: { status: row.status, snoozedUntil: row.snoozedUntil?.toISOString() ?? null },
      after: { status: change.status, snoozedUntil: snoozedUntil?.toISOString() ?? null },
    });
    return null;
  });
}

/** Unread count to zero (audited when it was not zero), then Meta's read receipt. */
export async function markConversationRead(db: Database, access: Access, conversationId: string) {
  const result = await changeConversation<never>(db, access, conversationId, async (tx, row) => {
    if (row.unreadCount === 0) return null;
    await repo.updateConversation(tx, access.workspaceId, row.id, { unreadCount: 0 });
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'conversation.read',
      resourceType: 'conversation',
      resourceId: row.id,
      before: { unreadCount: row.unreadCount },
      after: { unreadCount: 0 },
    });
    return null;
  });
  if (result.ok) await sendReadReceiptForLastInbound(db, access.workspaceId, conversationId);
  return result;
}

/**
 * Meta's read receipt (blue ticks) for the conversation's latest inbound message.
 * NOT WIRED YET: the Graph call (`POST /{phone-number-id}/messages` with `status: 'read'`) belongs to the
 * send path of the messages module, being built separately. Until it lands this only finds the message
 * the receipt would name, so the caller's contract does not change when it does.
 */
export async function sendReadReceiptForLastInbound(
  db: Executor,
  workspaceId: string,
  conversationId: string,
): Promise<{ wamid: string | null; sent: false }> {
  const target = await repo.lastInboundMessage(db, workspaceId, conversationId);
  return { wamid: target?.wamid ?? null, sent: false };
}

export async function getInboxSettings(db: Executor, workspaceId: string) {
  return repo.loadInboxSettings(db, workspaceId);
}

export async function updateInboxSettings(
  db: Database,
  access: Access,
  patch: { agentsSeeUnassigned?: boolean },
) {
  return db.transaction(async (tx) => {
    const before = await repo.loadInboxSettings(tx, access.workspaceId);
    const after = { ...before, ...patch };
    if (after.agentsSeeUnassigned === before.agentsSeeUnassigned) return after;
    await repo.saveInboxSettings(tx, access.workspaceId, after);
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'inbox_settings.updated',
      resourceType: 'inbox_settings',
      resourceId: access.workspaceId,
      before,
      after,
    });
    return after;
  });
}

function fail<F extends string>(reason: F): { ok: false; reason: F } {
  return { ok: false, reason };
}
