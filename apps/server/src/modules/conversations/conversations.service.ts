import type { Platform } from '../../platform/context.js';
import type { Database, Executor } from '../../platform/db/client.js';
import type { WorkspaceAccess } from '../../platform/http/auth.js';
import { recordAudit } from '../audit/audit.service.js';
import { sendReadReceipt } from '../messages/read-receipt.js';
import { type ConversationChange, conversationChanged, publishAfterCommit } from './conversations.events.js';
import * as repo from './conversations.repository.js';
import type { ListConversationsQuery, StatusChange } from './conversations.schemas.js';
import type { ConversationRow } from './conversations.tables.js';
import { toDetail, toSummary, toThreadMessage } from './conversations.views.js';
import { decodeCursor, pageOf } from './cursor.js';
import { firstExchange, listHistory, recordHistory, toHistory } from './history.js';
import { findLabels, labelsOfConversations, replaceConversationLabels } from './labels.js';
import { customerServiceWindowMs } from './window.js';

type Access = Pick<WorkspaceAccess, 'workspaceId' | 'principal' | 'can' | 'actor'>;
type Result<T, F extends string> = { ok: true; value: T } | { ok: false; reason: F };

export type ListFailure = 'bad_cursor' | 'me_without_user' | 'unknown_assignee';

/** The caller's visibility, with the workspace's setting for unassigned conversations read once. */
export async function scopeFor(db: Executor, access: Access): Promise<repo.ConversationScope> {
  return repo.conversationScope(access, await repo.loadInboxSettings(db, access.workspaceId));
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
    labelId: query.label,
    unread: query.unread,
    window: query.window,
    windowOpensAfter: new Date(now.getTime() - customerServiceWindowMs()),
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
  const labels = await labelsOfConversations(
    db,
    access.workspaceId,
    page.items.map((r) => r.conversation.id),
  );
  return {
    ok: true as const,
    value: {
      items: page.items.map((r) =>
        toSummary(r, byConversation.get(r.conversation.id), labels.get(r.conversation.id) ?? [], now),
      ),
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
  if (!row) return undefined;
  const { workspaceId } = access;
  // One after another: `db` may be a transaction, whose single connection runs one query at a time.
  const labels = await labelsOfConversations(db, workspaceId, [conversationId]);
  const history = await listHistory(db, workspaceId, conversationId);
  const exchange = await firstExchange(db, workspaceId, conversationId);
  const c = row.conversation;
  const seconds = (from: Date | null, to: Date | null) =>
    from && to ? Math.round((to.getTime() - from.getTime()) / 1000) : null;
  // Resolved counts while it stays so: the latest move to resolved.
  const resolvedAt =
    c.status === 'resolved'
      ? (history.findLast((h) => h.entry.kind === 'status' && h.entry.to === 'resolved')?.entry.at ??
        c.updatedAt)
      : null;
  return {
    ...toDetail(row, now),
    labels: labels.get(conversationId) ?? [],
    history: await toHistory(db, history),
    firstResponseAt: exchange.firstResponseAt?.toISOString() ?? null,
    firstResponseSeconds: seconds(exchange.firstInboundAt, exchange.firstResponseAt),
    resolvedAt: resolvedAt?.toISOString() ?? null,
    resolutionSeconds: seconds(exchange.firstInboundAt ?? c.createdAt, resolvedAt),
  };
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

/** What a change step did: refused, changed something (announced after commit), or nothing to do. */
type StepOutcome<F extends string> = { refused: F } | { changed: ConversationChange } | null;

/**
 * Runs a change on a visible conversation inside one transaction; not_found when it is not visible.
 * A change that happened is announced on `conversationChanged` once committed.
 */
async function changeConversation<F extends string>(
  platform: Platform,
  access: Access,
  conversationId: string,
  step: (tx: Executor, row: ConversationRow) => Promise<StepOutcome<F>>,
): Promise<Result<NonNullable<Awaited<ReturnType<typeof getConversation>>>, F | 'not_found'>> {
  let announce: (() => Promise<void>) | undefined;
  const result = await platform.db.transaction(async (tx) => {
    const scope = await scopeFor(tx, access);
    const row = await repo.lockConversation(tx, scope, conversationId);
    if (!row) return fail('not_found' as const);
    const outcome = await step(tx, row);
    if (outcome && 'refused' in outcome) return fail(outcome.refused);
    if (outcome) {
      const after = await repo.conversationById(tx, access.workspaceId, conversationId);
      announce = () =>
        platform.events.publish(conversationChanged, {
          workspaceId: access.workspaceId,
          conversationId,
          change: outcome.changed,
          assigneeId: after?.assigneeId ?? null,
          actorUserId: scope.userId,
        });
    }
    // Read back with the same scope: a change never widens what the caller sees.
    const detail = await getConversation(tx, access, conversationId);
    return detail ? { ok: true as const, value: detail } : fail('not_found' as const);
  });
  if (announce) await publishAfterCommit(platform, announce);
  return result;
}

export type AssignFailure = 'assignee_not_member';

export async function assignConversation(
  platform: Platform,
  access: Access,
  conversationId: string,
  assigneeRef: string | null,
) {
  return changeConversation<AssignFailure>(platform, access, conversationId, async (tx, row) => {
    const assigneeId =
      assigneeRef === null ? null : await repo.memberUserId(tx, access.workspaceId, assigneeRef);
    if (assigneeId === undefined) return { refused: 'assignee_not_member' };
    if (assigneeId === row.assigneeId) return null;
    await repo.updateConversation(tx, access.workspaceId, row.id, { assigneeId });
    await recordHistory(tx, access.actor, {
      workspaceId: access.workspaceId,
      conversationId: row.id,
      kind: 'assigned',
      from: row.assigneeId,
      to: assigneeId,
    });
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: assigneeId ? 'conversation.assigned' : 'conversation.unassigned',
      resourceType: 'conversation',
      resourceId: row.id,
      before: { assigneeId: row.assigneeId },
      after: { assigneeId },
    });
    return { changed: 'assigned' };
  });
}

export type StatusFailure = 'snooze_in_past';

/** Sets the status; snoozing needs a time ahead. Recorded in the history and the audit trail. */
export async function changeStatus(
  platform: Platform,
  access: Access,
  conversationId: string,
  change: StatusChange,
  now: Date = new Date(),
) {
  return changeConversation<StatusFailure>(platform, access, conversationId, async (tx, row) => {
    const snoozedUntil = change.status === 'snoozed' ? change.until : null;
    if (snoozedUntil && snoozedUntil.getTime() <= now.getTime()) return { refused: 'snooze_in_past' };
    if (row.status === change.status && row.snoozedUntil?.getTime() === snoozedUntil?.getTime()) return null;
    await repo.updateConversation(tx, access.workspaceId, row.id, { status: change.status, snoozedUntil });
    await recordHistory(tx, access.actor, {
      workspaceId: access.workspaceId,
      conversationId: row.id,
      kind: snoozedUntil ? 'snoozed' : 'status',
      from: row.status,
      to: snoozedUntil ? snoozedUntil.toISOString() : change.status,
    });
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'conversation.status_changed',
      resourceType: 'conversation',
      resourceId: row.id,
      before: { status: row.status, snoozedUntil: row.snoozedUntil?.toISOString() ?? null },
      after: { status: change.status, snoozedUntil: snoozedUntil?.toISOString() ?? null },
    });
    return { changed: snoozedUntil ? 'snoozed' : 'status' };
  });
}

export type LabelsFailure = 'unknown_label';

/** Replaces the conversation's labels with the given ones (all of this workspace). */
export async function setConversationLabels(
  platform: Platform,
  access: Access,
  conversationId: string,
  labelIds: string[],
) {
  const wanted = [...new Set(labelIds)];
  return changeConversation<LabelsFailure>(platform, access, conversationId, async (tx, row) => {
    const found = await findLabels(tx, access.workspaceId, wanted);
    if (found.length !== wanted.length) return { refused: 'unknown_label' };
    const before = (await labelsOfConversations(tx, access.workspaceId, [row.id])).get(row.id) ?? [];
    const names = (list: { name: string }[]) =>
      list
        .map((l) => l.name)
        .sort()
        .join(', ');
    if (names(before) === names(found)) return null;
    await replaceConversationLabels(tx, access.workspaceId, row.id, wanted);
    await recordHistory(tx, access.actor, {
      workspaceId: access.workspaceId,
      conversationId: row.id,
      kind: 'labels',
      from: names(before) || null,
      to: names(found) || null,
    });
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'conversation.labels_changed',
      resourceType: 'conversation',
      resourceId: row.id,
      before: { labelIds: before.map((l) => l.id) },
      after: { labelIds: wanted },
    });
    return { changed: 'labels' };
  });
}

/** Unread count to zero (audited when it was not zero), then Meta's read receipt. */
export async function markConversationRead(platform: Platform, access: Access, conversationId: string) {
  let hadUnread = false;
  const result = await changeConversation<never>(platform, access, conversationId, async (tx, row) => {
    if (row.unreadCount === 0) return null;
    hadUnread = true;
    await repo.updateConversation(tx, access.workspaceId, row.id, { unreadCount: 0 });
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'conversation.read',
      resourceType: 'conversation',
      resourceId: row.id,
      before: { unreadCount: row.unreadCount },
      after: { unreadCount: 0 },
    });
    return { changed: 'read' };
  });
  if (result.ok && hadUnread)
    await sendReadReceiptForLastInbound(platform, access.workspaceId, conversationId);
  return result;
}

/**
 * Meta's read receipt (blue ticks) for the conversation's latest inbound message, through the messages
 * module's send path. Best effort: the conversation is read for the team whatever Meta answers, so a
 * disconnected number or a refusal is logged, not raised.
 */
export async function sendReadReceiptForLastInbound(
  platform: Platform,
  workspaceId: string,
  conversationId: string,
): Promise<{ wamid: string | null; sent: boolean }> {
  const target = await repo.lastInboundMessage(platform.db, workspaceId, conversationId);
  if (!target?.wamid) return { wamid: null, sent: false };
  const receipt = await sendReadReceipt(platform, workspaceId, {
    channelId: target.channelId,
    wamid: target.wamid,
  });
  if (!receipt.ok) {
    platform.logger.warn({ workspaceId, conversationId, reason: receipt.reason }, 'read receipt not sent');
  }
  return { wamid: target.wamid, sent: receipt.ok };
}

export async function getInboxSettings(db: Executor, workspaceId: string) {
  return repo.loadInboxSettings(db, workspaceId);
}

export async function updateInboxSettings(db: Database, access: Access, patch: Partial<repo.InboxSettings>) {
  return db.transaction(async (tx) => {
    const before = await repo.loadInboxSettings(tx, access.workspaceId);
    const after = { ...before, ...patch };
    if (JSON.stringify(after) === JSON.stringify(before)) return after;
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

/**
 * conversationScope's rule for one conversation whose assignee is already known: for callers that
 * filter a stream of events instead of querying rows (the realtime channel). Keep the two in step.
 */
export function mayReadConversation(
  access: Pick<WorkspaceAccess, 'principal' | 'can'>,
  settings: { agentsSeeUnassigned: boolean },
  assigneeId: string | null,
): boolean {
  if (access.can('conversations.read.all')) return true;
  if (!access.can('conversations.read.assigned')) return false;
  if (assigneeId === null) return settings.agentsSeeUnassigned;
  return access.principal.kind === 'user' && access.principal.userId === assigneeId;
}

/** The assignee of each conversation found in the workspace; ids of other workspaces are left out. */
export async function conversationAssignees(
  db: Executor,
  workspaceId: string,
  conversationIds: string[],
): Promise<Map<string, string | null>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await repo.assigneesOf(db, workspaceId, conversationIds);
  return new Map(rows.map((row) => [row.id, row.assigneeId]));
}

function fail<F extends string>(reason: F): { ok: false; reason: F } {
  return { ok: false, reason };
}
