import { safeParseWebhookPayload, type WebhookItem } from '@openwaba/cloud-api';
import { and, asc, eq, gte, inArray, lt, lte, or, sql } from 'drizzle-orm';
import type { Platform, PlatformJob } from '../../platform/context.js';
import type { JobRunInfo } from '../../platform/jobs/catalog.js';
import { salvageWebhookItems } from './split-payload.js';
import { type WebhookEventRow, webhookEvents } from './webhooks.tables.js';

/** What the inbound modules do with the items of one stored event. Must be idempotent: events repeat. */
export type WebhookItemsHandler = (
  platform: Platform,
  items: readonly WebhookItem[],
  event: { id: string; receivedAt: Date },
) => Promise<void>;

/** After this many tries in all (queue retries and sweeper re-dispatches), an event is dead-lettered. */
export const MAX_EVENT_ATTEMPTS = 8;

/**
 * Processes one stored event: parse, hand every item to the inbound handler, mark it processed.
 * A payload that does not match Meta's shape goes straight to the dead-letter list (retrying cannot
 * fix it); a handler failure is retried, then dead-lettered with its error.
 */
export async function processWebhookEvent(
  platform: Platform,
  eventId: string,
  handleItems: WebhookItemsHandler,
  run: Pick<JobRunInfo, 'isFinalAttempt' | 'logger'>,
): Promise<void> {
  const [event] = await platform.db.select().from(webhookEvents).where(eq(webhookEvents.id, eventId));
  if (!event || event.status === 'processed' || event.status === 'dead') return;

  const body: unknown = JSON.parse(event.body);
  const parsed = safeParseWebhookPayload(body);
  // A body that fails as a whole is taken apart: its valid items are processed, the rest reported.
  const { items, problems } = parsed.success
    ? { items: parsed.items, problems: [] }
    : salvageWebhookItems(body);
  try {
    await handleItems(platform, items, { id: event.id, receivedAt: event.receivedAt });
  } catch (error) {
    const final = run.isFinalAttempt || event.attempts + 1 >= MAX_EVENT_ATTEMPTS;
    await finish(
      platform,
      event,
      final ? 'dead' : 'failed',
      error instanceof Error ? error.message : String(error),
    );
    if (final) {
      run.logger.error({ err: error, eventId }, 'webhook event dead-lettered');
      return;
    }
    throw error;
  }
  if (problems.length > 0) {
    // Retrying cannot fix a malformed item: straight to the dead-letter list, with what was wrong.
    await finish(platform, event, 'dead', problems.join('\n'));
    run.logger.warn(
      { eventId, problems: problems.slice(0, 5) },
      'webhook items rejected to the dead-letter list',
    );
    return;
  }
  await finish(platform, event, 'processed', null);
}

async function finish(
  platform: Platform,
  event: WebhookEventRow,
  status: 'processed' | 'failed' | 'dead',
  error: string | null,
): Promise<void> {
  await platform.db
    .update(webhookEvents)
    .set({
      status,
      attempts: sql`${webhookEvents.attempts} + 1`,
      lastError: error?.slice(0, 2000) ?? null,
      processedAt: status === 'processed' ? new Date() : null,
    })
    .where(eq(webhookEvents.id, event.id));
}

/** Pending or failed events older than `graceMs`, oldest first: the sweeper's work list. */
export async function findStalledEvents(
  platform: Platform,
  graceMs: number,
  limit: number,
): Promise<string[]> {
  const rows = await platform.db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(
      and(
        inArray(webhookEvents.status, ['pending', 'failed']),
        lt(webhookEvents.receivedAt, new Date(Date.now() - graceMs)),
      ),
    )
    .orderBy(asc(webhookEvents.receivedAt))
    .limit(limit);
  return rows.map((row) => row.id);
}

export interface ReplayRange {
  from: Date;
  to: Date;
  /** Only events in the dead-letter list. */
  deadOnly?: boolean;
}

/**
 * Marks the events of a time range pending again and dispatches them. Safe to repeat: processing is
 * idempotent (messages are unique by wamid, statuses only move forward).
 */
export async function replayWebhookEvents(
  platform: Platform,
  job: PlatformJob<{ eventId: string }>,
  range: ReplayRange,
): Promise<number> {
  const inRange = and(gte(webhookEvents.receivedAt, range.from), lte(webhookEvents.receivedAt, range.to));
  const rows = await platform.db
    .update(webhookEvents)
    .set({ status: 'pending', attempts: 0, lastError: null })
    .where(range.deadOnly ? and(inRange, eq(webhookEvents.status, 'dead')) : inRange)
    .returning({ id: webhookEvents.id });
  for (const row of rows) await platform.jobs.enqueue(job, { eventId: row.id }, { jobId: row.id });
  return rows.length;
}

export async function listDeadEvents(platform: Platform, limit = 100) {
  return platform.db
    .select({
      id: webhookEvents.id,
      receivedAt: webhookEvents.receivedAt,
      attempts: webhookEvents.attempts,
      lastError: webhookEvents.lastError,
    })
    .from(webhookEvents)
    .where(eq(webhookEvents.status, 'dead'))
    .orderBy(asc(webhookEvents.receivedAt))
    .limit(limit);
}

/** Retention: processed events go after `days`; dead letters are kept four times as long. */
export async function pruneWebhookEvents(platform: Platform, days: number): Promise<number> {
  const day = 24 * 3600 * 1000;
  const rows = await platform.db
    .delete(webhookEvents)
    .where(
      or(
        and(
          eq(webhookEvents.status, 'processed'),
          lt(webhookEvents.receivedAt, new Date(Date.now() - days * day)),
        ),
        and(
          eq(webhookEvents.status, 'dead'),
          lt(webhookEvents.receivedAt, new Date(Date.now() - 4 * days * day)),
        ),
      ),
    )
    .returning({ id: webhookEvents.id });
  return rows.length;
}
