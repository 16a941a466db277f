import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Platform } from '../../platform/context.js';
import type { Executor } from '../../platform/db/client.js';
import { systemActor } from '../../platform/http/auth.js';
import { recordAudit } from '../audit/audit.service.js';
import { users } from '../identity/identity.tables.js';
import { onlineUserIds } from '../realtime/presence.js';
import { type Role, roleHas, roles } from '../workspaces/permissions.js';
import { workspaceMembers } from '../workspaces/workspaces.tables.js';
import { conversationChanged, publishAfterCommit } from './conversations.events.js';
import { loadInboxSettings } from './conversations.repository.js';
import { conversations, inboxAgentSettings, inboxSettings } from './conversations.tables.js';
import { recordHistory } from './history.js';

const actor = systemActor('auto-assignment');

const isMemberRole = (role: string): role is Role => (roles as readonly string[]).includes(role);

interface Candidate {
  userId: string;
  /** Open conversations assigned to them now. */
  open: number;
  cap: number | null;
}

/**
 * Picks an assignee for each conversation in turn: the next candidate after the last one picked (by
 * user id, wrapping around) who is below their cap. Pure, so the order is easy to prove.
 */
export function roundRobin(
  candidates: readonly Candidate[],
  last: string | null,
  conversationCount: number,
): { picks: (string | null)[]; last: string | null } {
  const ring = [...candidates].sort((a, b) => (a.userId < b.userId ? -1 : 1)).map((c) => ({ ...c }));
  const picks: (string | null)[] = [];
  let cursor = last;
  for (let n = 0; n < conversationCount; n++) {
    const start = cursor === null ? 0 : ring.findIndex((c) => c.userId > cursor!);
    let picked: (typeof ring)[number] | undefined;
    for (let step = 0; step < ring.length && !picked; step++) {
      const candidate = ring[((start === -1 ? 0 : start) + step) % ring.length]!;
      if (candidate.cap === null || candidate.open < candidate.cap) picked = candidate;
    }
    if (!picked) {
      picks.push(null);
      continue;
    }
    picked.open += 1;
    cursor = picked.userId;
    picks.push(picked.userId);
  }
  return { picks, last: cursor };
}

/** Members who take part now: may reply, online, not opted out; with their cap and open count. */
async function candidatesOf(
  tx: Executor,
  workspaceId: string,
  online: ReadonlySet<string>,
  workspaceCap: number | null,
): Promise<Candidate[]> {
  if (online.size === 0) return [];
  const members = await tx
    .select({
      userId: workspaceMembers.userId,
      role: workspaceMembers.role,
      autoAssign: inboxAgentSettings.autoAssign,
      maxOpen: inboxAgentSettings.maxOpen,
    })
    .from(workspaceMembers)
    .leftJoin(
      inboxAgentSettings,
      and(
        eq(inboxAgentSettings.workspaceId, workspaceMembers.workspaceId),
        eq(inboxAgentSettings.userId, workspaceMembers.userId),
      ),
    )
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), inArray(workspaceMembers.userId, [...online])));
  const eligible = members.filter(
    (m) => isMemberRole(m.role) && roleHas(m.role, 'messages.send') && m.autoAssign !== false,
  );
  if (eligible.length === 0) return [];
  const loads = await tx
    .select({ userId: conversations.assigneeId, open: count() })
    .from(conversations)
    .where(
      and(
        eq(conversations.workspaceId, workspaceId),
        eq(conversations.status, 'open'),
        inArray(
          conversations.assigneeId,
          eligible.map((m) => m.userId),
        ),
      ),
    )
    .groupBy(conversations.assigneeId);
  const openOf = new Map(loads.map((l) => [l.userId, l.open]));
  return eligible.map((m) => ({
    userId: m.userId,
    open: openOf.get(m.userId) ?? 0,
    cap: m.maxOpen ?? workspaceCap,
  }));
}

/**
 * Assigns new inbound conversations that nobody holds, round-robin among the workspace's online members
 * who may reply, skipping those at their cap of open conversations. The workspace's settings row is
 * locked for the whole pick, so concurrent webhook batches (on any worker) continue one rotation.
 */
export async function autoAssign(
  platform: Platform,
  workspaceId: string,
  conversationIds: readonly string[],
) {
  if (conversationIds.length === 0) return [];
  const settings = await loadInboxSettings(platform.db, workspaceId);
  if (!settings.autoAssign) return [];
  const online = await onlineUserIds(platform, workspaceId);
  if (online.size === 0) return [];
  const assigned = await platform.db.transaction(async (tx) => {
    await tx.insert(inboxSettings).values({ workspaceId }).onConflictDoNothing();
    const [state] = await tx
      .select({ last: inboxSettings.lastAutoAssigneeId })
      .from(inboxSettings)
      .where(eq(inboxSettings.workspaceId, workspaceId))
      .for('update');
    const waiting = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(
        and(
          eq(conversations.workspaceId, workspaceId),
          inArray(conversations.id, [...conversationIds]),
          isNull(conversations.assigneeId),
        ),
      )
      .orderBy(asc(conversations.id))
      .for('update');
    const candidates = await candidatesOf(tx, workspaceId, online, settings.maxOpenPerAgent);
    if (waiting.length === 0 || candidates.length === 0) return [];
    const { picks, last } = roundRobin(candidates, state?.last ?? null, waiting.length);
    const done: { conversationId: string; assigneeId: string }[] = [];
    for (const [i, { id }] of waiting.entries()) {
      const assigneeId = picks[i];
      if (!assigneeId) continue;
      await tx
        .update(conversations)
        .set({ assigneeId, updatedAt: new Date() })
        .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, id)));
      await recordHistory(tx, actor, {
        workspaceId,
        conversationId: id,
        kind: 'assigned',
        from: null,
        to: assigneeId,
      });
      await recordAudit(tx, actor, {
        workspaceId,
        action: 'conversation.assigned',
        resourceType: 'conversation',
        resourceId: id,
        before: { assigneeId: null },
        after: { assigneeId },
      });
      done.push({ conversationId: id, assigneeId });
    }
    await tx
      .update(inboxSettings)
      .set({ lastAutoAssigneeId: last })
      .where(eq(inboxSettings.workspaceId, workspaceId));
    return done;
  });
  for (const { conversationId, assigneeId } of assigned) {
    await publishAfterCommit(platform, () =>
      platform.events.publish(conversationChanged, {
        workspaceId,
        conversationId,
        change: 'assigned',
        assigneeId,
        actorUserId: null,
      }),
    );
  }
  return assigned;
}

/** Members with their auto-assignment terms, for the settings screen. */
export async function listAgentSettings(db: Executor, workspaceId: string) {
  const rows = await db
    .select({
      userId: workspaceMembers.userId,
      name: users.name,
      role: workspaceMembers.role,
      autoAssign: inboxAgentSettings.autoAssign,
      maxOpen: inboxAgentSettings.maxOpen,
    })
    .from(workspaceMembers)
    .innerJoin(users, eq(users.id, workspaceMembers.userId))
    .leftJoin(
      inboxAgentSettings,
      and(
        eq(inboxAgentSettings.workspaceId, workspaceMembers.workspaceId),
        eq(inboxAgentSettings.userId, workspaceMembers.userId),
      ),
    )
    .where(eq(workspaceMembers.workspaceId, workspaceId))
    .orderBy(asc(sql`lower(${users.name})`));
  return rows.map((r) => ({ ...r, autoAssign: r.autoAssign ?? true, maxOpen: r.maxOpen ?? null }));
}

/** Sets one member's terms; undefined when the user is not a member of the workspace. */
export async function updateAgentSettings(
  platform: Platform,
  access: { workspaceId: string; actor: Parameters<typeof recordAudit>[1] },
  userId: string,
  terms: { autoAssign: boolean; maxOpen: number | null },
) {
  return platform.db.transaction(async (tx) => {
    const all = await listAgentSettings(tx, access.workspaceId);
    const before = all.find((m) => m.userId === userId);
    if (!before) return undefined;
    await tx
      .insert(inboxAgentSettings)
      .values({ workspaceId: access.workspaceId, userId, ...terms })
      .onConflictDoUpdate({
        target: [inboxAgentSettings.workspaceId, inboxAgentSettings.userId],
        set: { ...terms, updatedAt: new Date() },
      });
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'inbox_settings.agent_updated',
      resourceType: 'member',
      resourceId: userId,
      before: { autoAssign: before.autoAssign, maxOpen: before.maxOpen },
      after: terms,
    });
    return { ...before, ...terms };
  });
}
