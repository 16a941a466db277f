import { safeParseWebhookPayload, type WebhookItem } from '@openwaba/cloud-api';
import { and, asc, eq, gte, inArray, lt, lte, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Platform, PlatformJob } from '../../platform/context.js';
import { anyOf, type Executor, queryRows, type Transaction } from '../../platform/db/client.js';
import { retryOnDeadlock } from '../../platform/db/retry.js';
import type { Actor } from '../../platform/http/auth.js';
import { chunk } from '../../platform/jobs/batched-dispatch.js';
import type { JobRunInfo } from '../../platform/jobs/catalog.js';
import { recordAudit } from '../audit/audit.service.js';
import { salvageWebhookItems } from './split-payload.js';
import { type WebhookEventRow, webhookEvents } from './webhooks.tables.js';

/** A step to run after the batch's transaction commits (publish an event, queue a job). */
export type PostCommitStep = () => Promise<unknown>;

/**
 * What the inbound modules do with the items of a batch of stored events, inside the transaction that
 * claimed the events and that marks them processed: every effect goes through `tx` (PGlite has a single
 * connection, and a claim is only as good as the transaction holding it). Returns the steps to run after
 * the commit. Must be idempotent: events repeat.
 */
export type WebhookItemsHandler = (
  tx: Transaction,
  items: readonly WebhookItem[],
) => Promise<PostCommitStep[]>;

/** After this many tries in all (queue retries and sweeper re-dispatches), an event is dead-lettered. */
export const MAX_EVENT_ATTEMPTS = 8;

export interface BatchRun extends Pick<JobRunInfo, 'isFinalAttempt' | 'logger'> {
  /** Dispatches events again one job each (a failing batch is split so one bad event holds back no other). */
  redispatchEach(eventIds: string[]): Promise<void>;
}

/** Most events one job claims besides its own. */
export const MAX_CLAIMED_EVENTS = 500;

export type ClaimedEvent = Pick<WebhookEventRow, 'id' | 'body' | 'attempts'>;

/**
 * Takes events for processing in the caller's transaction: `eventIds` when they still await it, plus
 * (`more`) up to MAX_CLAIMED_EVENTS other pending events, oldest first, so a backlog makes one big batch
 * rather than many small ones. Their rows are locked and marked processed (one more attempt) at once;
 * the transaction's rollback undoes both, and its commit is the mark. Rows another transaction holds are
 * skipped, never waited for: a worker that dies mid-batch holds nothing. Failed events wait for their own
 * retry, so only `eventIds` may name them. Oldest first; `attempts` counts the tries before this one.
 */
export async function claimWebhookEvents(
  tx: Executor,
  eventIds: readonly string[],
  more: boolean,
): Promise<ClaimedEvent[]> {
  // webhook_events_take (migration 0018) pins the plan to an ordered scan of the pending index.
  return queryRows<ClaimedEvent>(
    tx,
    sql`select id, body, attempts from webhook_events_take(${sql.param([...eventIds])}::text[], ${more}, ${MAX_CLAIMED_EVENTS})`,
  );
}

/**
 * Processes stored events in one transaction: claim them (see claimWebhookEvents, which marks them
 * processed), parse each, hand all their items to the inbound handler, commit, then run the handler's
 * post-commit steps. An item that does not match Meta's shape sends its event to the dead-letter list
 * (retrying cannot fix it) while the rest is processed. When the handler fails, a batch of several events
 * is marked failed and split into single-event jobs; a single event is retried, then dead-lettered with
 * its error. Returns how many events it took (0: none was pending).
 */
export async function processWebhookEvents(
  platform: Platform,
  eventIds: readonly string[],
  handleItems: WebhookItemsHandler,
  run: BatchRun,
  options: { more: boolean },
): Promise<number> {
  let events: ClaimedEvent[] = [];
  let outcome: { steps: PostCommitStep[]; rejected: Map<string, string[]> };
  try {
    outcome = await retryOnDeadlock(() =>
      platform.db.transaction(async (tx) => {
        events = await claimWebhookEvents(tx, eventIds, options.more);
        const problemsOf = new Map<string, string[]>();
        if (events.length === 0) return { steps: [], rejected: problemsOf };
        const items: WebhookItem[] = [];
        for (const event of events) {
          const body: unknown = JSON.parse(event.body);
          const parsed = safeParseWebhookPayload(body);
          // A body that fails as a whole is taken apart: its valid items are processed, the rest reported.
          const result = parsed.success ? { items: parsed.items, problems: [] } : salvageWebhookItems(body);
          items.push(...result.items);
          if (result.problems.length > 0) problemsOf.set(event.id, result.problems);
        }
        const steps = await handleItems(tx, items);
        // Retrying cannot fix a malformed item: straight to the dead-letter list, with what was wrong.
        // The claim already counted this attempt.
        for (const [eventId, problems] of problemsOf)
          await finish(tx, [eventId], 'dead', problems.join('\n'), { attemptCounted: true });
        return { steps, rejected: problemsOf };
      }),
    );
  } catch (error) {
    if (events.length === 0) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (events.length > 1) {
      run.logger.warn(
        { err: error, events: events.length },
        'webhook batch failed; retrying its events one by one',
      );
      // Failed, not pending: other jobs' claims leave them alone, so the batch does not form again.
      const ids = events.map((event) => event.id);
      await finish(platform.db, ids, 'failed', message);
      await run.redispatchEach(ids);
      return events.length;
    }
    const event = events[0]!;
    const final = run.isFinalAttempt || event.attempts + 1 >= MAX_EVENT_ATTEMPTS;
    await finish(platform.db, [event.id], final ? 'dead' : 'failed', message);
    if (final) {
      run.logger.error({ err: error, eventId: event.id }, 'webhook event dead-lettered');
      return 1;
    }
    throw error;
  }
  for (const [eventId, problems] of outcome.rejected) {
    run.logger.warn(
      { eventId, problems: problems.slice(0, 5) },
      'webhook items rejected to the dead-letter list',
    );
  }
  // Publishes and dispatches are independent: run them together (the Redis client pipelines them).
  await Promise.all(
    outcome.steps.map((step) =>
      step().catch((error: unknown) => platform.logger.warn({ err: error }, 'post-commit step failed')),
    ),
  );
  return events.length;
}

/** Ends events as failed (to be retried) or dead, with their error; `attemptCounted` when a claim counted it. */
async function finish(
  db: Executor,
  eventIds: string[],
  status: 'failed' | 'dead',
  error: string,
  options: { attemptCounted?: boolean } = {},
): Promise<void> {
  if (eventIds.length === 0) return;
  await db
    .update(webhookEvents)
    .set({
      status,
      ...(options.attemptCounted ? {} : { attempts: sql`${webhookEvents.attempts} + 1` }),
      lastError: error.slice(0, 2000),
      processedAt: null,
    })
    .where(anyOf(webhookEvents.id, eventIds));
}

/**
 * Pending or failed events older than `graceMs`, oldest first: the sweeper's work list. An event a batch
 * holds right now may be listed too; its job then claims nothing.
 */
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
 * idempotent (messages are unique by wamid, statuses only move forward). The reset and its audit row
 * (`webhook.replayed`, installation-wide) commit together; jobs are dispatched after the commit, and
 * the sweeper would find the pending rows anyway.
 */
export async function replayWebhookEvents(
  platform: Platform,
  job: PlatformJob<ProcessEventsPayload>,
  range: ReplayRange,
  actor: Actor,
): Promise<number> {
  const inRange = and(gte(webhookEvents.receivedAt, range.from), lte(webhookEvents.receivedAt, range.to));
  const rows = await platform.db.transaction(async (tx) => {
    const reset = await tx
      .update(webhookEvents)
      .set({ status: 'pending', attempts: 0, lastError: null })
      .where(range.deadOnly ? and(inRange, eq(webhookEvents.status, 'dead')) : inRange)
      .returning({ id: webhookEvents.id });
    await recordAudit(tx, actor, {
      workspaceId: null,
      action: 'webhook.replayed',
      resourceType: 'webhook_event',
      after: {
        from: range.from.toISOString(),
        to: range.to.toISOString(),
        deadOnly: range.deadOnly ?? false,
        events: reset.length,
      },
    });
    return reset;
  });
  await dispatchEventBatches(
    platform,
    job,
    rows.map((row) => row.id),
  );
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

/** Up to this many events go in one processing job. */
export const EVENTS_PER_JOB = 100;

/** Enqueues processing jobs for stored events, EVENTS_PER_JOB a job, in one queue round trip. */
export async function dispatchEventBatches(
  platform: Platform,
  job: PlatformJob<ProcessEventsPayload>,
  eventIds: readonly string[],
): Promise<void> {
  const batches = chunk([...eventIds], EVENTS_PER_JOB);
  // A stable id per batch: a sweeper that finds the same stalled events again does not queue them twice.
  await platform.jobs.enqueueMany(
    job,
    batches.map((ids) => ({ payload: { eventIds: ids }, options: { jobId: `ev-${ids[0]}-${ids.length}` } })),
  );
}

/**
 * Asks for newly received events to be processed, on one of the installation's processing lanes. A
 * lane's job takes every pending event, and keeps taking them while they arrive, so a lane needs at most
 * one job waiting and one running (coalesced): at 1,000 webhooks/s the intake asks every 10 ms, and a
 * job per ask cost the worker a queue round trip each, mostly to find its events already taken.
 */
export async function dispatchReceivedEvents(
  platform: Platform,
  job: PlatformJob<ProcessEventsPayload>,
  eventIds: readonly string[],
  lane: number,
): Promise<void> {
  // The job takes its own events first and then the other pending ones: the first EVENTS_PER_JOB are
  // enough to name (the rest are pending too).
  await platform.jobs.enqueue(
    job,
    { eventIds: eventIds.slice(0, EVENTS_PER_JOB) },
    { coalesce: `webhooks-received-${lane % platform.config.webhookProcessingLanes}` },
  );
}

/** What a processing job carries (the job is createProcessJob in webhooks.module.ts). */
export const processEventsPayload = z.object({
  eventIds: z.array(z.string().min(1)).min(1).max(EVENTS_PER_JOB),
  /** Only these events (a failed batch's events, retried one by one): claim no others. */
  alone: z.boolean().optional(),
});
export type ProcessEventsPayload = z.infer<typeof processEventsPayload>;
