import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { definePlatformJob, type Platform, scheduleJob } from '../../platform/context.js';
import { systemActor } from '../../platform/http/auth.js';
import { recordAudit } from '../audit/audit.service.js';
import { conversationChanged, publishAfterCommit } from './conversations.events.js';
import { conversations } from './conversations.tables.js';
import { recordHistory } from './history.js';

const actor = systemActor('snooze expiry');
const BATCH = 200;

/**
 * Reopens snoozed conversations whose time has come, a batch per transaction (rows another process is
 * waking are skipped, not waited for), each change in the history and the audit trail, then announced.
 * Returns how many it reopened.
 */
export async function wakeSnoozed(platform: Platform, now: Date = new Date()): Promise<number> {
  let woken = 0;
  for (;;) {
    const rows = await platform.db.transaction(async (tx) => {
      const due = await tx
        .select({
          id: conversations.id,
          workspaceId: conversations.workspaceId,
          assigneeId: conversations.assigneeId,
          snoozedUntil: conversations.snoozedUntil,
        })
        .from(conversations)
        .where(
          sql`${conversations.status} = 'snoozed' and ${conversations.snoozedUntil} <= ${now.toISOString()}`,
        )
        .orderBy(conversations.snoozedUntil)
        .limit(BATCH)
        .for('update', { skipLocked: true });
      for (const row of due) {
        await tx
          .update(conversations)
          .set({ status: 'open', snoozedUntil: null, updatedAt: new Date() })
          .where(sql`${conversations.id} = ${row.id}`);
        await recordHistory(tx, actor, {
          workspaceId: row.workspaceId,
          conversationId: row.id,
          kind: 'status',
          from: 'snoozed',
          to: 'open',
        });
        await recordAudit(tx, actor, {
          workspaceId: row.workspaceId,
          action: 'conversation.status_changed',
          resourceType: 'conversation',
          resourceId: row.id,
          before: { status: 'snoozed', snoozedUntil: row.snoozedUntil?.toISOString() ?? null },
          after: { status: 'open', snoozedUntil: null },
        });
      }
      return due;
    });
    for (const row of rows) {
      await publishAfterCommit(platform, () =>
        platform.events.publish(conversationChanged, {
          workspaceId: row.workspaceId,
          conversationId: row.id,
          change: 'status',
          assigneeId: row.assigneeId,
          actorUserId: null,
        }),
      );
    }
    woken += rows.length;
    if (rows.length < BATCH) return woken;
  }
}

export const wakeSnoozedJob = definePlatformJob({
  name: 'conversations.wake-snoozed',
  payload: z.object({}),
  retry: { attempts: 3, backoff: { type: 'exponential', delayMs: 10_000 } },
  concurrency: 1,
  async handle(_payload, ctx) {
    const woken = await wakeSnoozed(ctx.deps);
    if (woken > 0) ctx.run.logger.info({ woken }, 'snoozed conversations reopened');
  },
});

/** Every minute: a snooze ends at most a minute late. */
export const wakeSnoozedSchedule = scheduleJob(wakeSnoozedJob, {
  id: 'conversations.wake-snoozed',
  cron: '* * * * *',
  payload: {},
});
