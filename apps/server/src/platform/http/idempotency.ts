import { createHash } from 'node:crypto';
import { and, eq, isNull, lt } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/client.js';
import { AppError } from './errors.js';
import { idempotencyKeys } from './idempotency.tables.js';

/**
 * `Idempotency-Key` for any write route: the first request with a key runs and its reply is stored;
 * repeats with the same key and the same request get that reply again and run nothing; the same key
 * with another request is refused (409 idempotency_conflict), and so is a repeat that arrives while the
 * first is still running (409 idempotency_in_progress). A failed first request (an error thrown) frees
 * the key, so the caller can retry after fixing the problem.
 *
 *   app.post(url, opts, (request, reply) =>
 *     replayable(platform.db, request, reply, workspaceId, async () => ({ statusCode: 201, body: … })));
 */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** A claim older than this with no result is taken to belong to a process that died. */
const ABANDONED_AFTER_MS = 60_000;

export interface StoredResult<T = unknown> {
  statusCode: number;
  body: T;
}

export type IdempotentOutcome<T> =
  | { replayed: false; result: StoredResult<T> }
  | { replayed: true; result: StoredResult<T> };

/** Hash of what makes two requests "the same request". */
export function requestFingerprint(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** The core, without HTTP: runs `work` once per (workspace, key). Reusable by services (campaigns). */
export async function runIdempotent<T>(
  db: Database,
  scope: { workspaceId: string; key: string; fingerprint: string },
  work: () => Promise<StoredResult<T>>,
): Promise<IdempotentOutcome<T>> {
  const { workspaceId, key, fingerprint } = scope;
  const claimed = await db
    .insert(idempotencyKeys)
    .values({ workspaceId, key, requestHash: fingerprint })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length === 0) {
    const [existing] = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.workspaceId, workspaceId), eq(idempotencyKeys.key, key)));
    if (!existing) return runIdempotent(db, scope, work); // deleted meanwhile (a failed first try)
    if (existing.requestHash !== fingerprint) {
      throw new AppError('idempotency_conflict', 'This Idempotency-Key was used with a different request');
    }
    if (existing.statusCode !== null) {
      return { replayed: true, result: { statusCode: existing.statusCode, body: existing.response as T } };
    }
    const takenOver = await db
      .update(idempotencyKeys)
      .set({ createdAt: new Date() })
      .where(
        and(
          eq(idempotencyKeys.workspaceId, workspaceId),
          eq(idempotencyKeys.key, key),
          isNull(idempotencyKeys.statusCode),
          lt(idempotencyKeys.createdAt, new Date(Date.now() - ABANDONED_AFTER_MS)),
        ),
      )
      .returning({ key: idempotencyKeys.key });
    if (takenOver.length === 0) {
      throw new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is still running');
    }
  }
  let result: StoredResult<T>;
  try {
    result = await work();
  } catch (error) {
    await db
      .delete(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.workspaceId, workspaceId),
          eq(idempotencyKeys.key, key),
          isNull(idempotencyKeys.statusCode),
        ),
      );
    throw error;
  }
  await db
    .update(idempotencyKeys)
    .set({ statusCode: result.statusCode, response: result.body })
    .where(and(eq(idempotencyKeys.workspaceId, workspaceId), eq(idempotencyKeys.key, key)));
  return { replayed: false, result };
}

/** The Idempotency-Key header of a request, validated; undefined when absent. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !KEY_PATTERN.test(raw)) {
    throw new AppError('bad_request', 'Idempotency-Key must be 1 to 255 printable ASCII characters');
  }
  return raw;
}

/**
 * Route helper: runs `work` under the request's Idempotency-Key (or directly without one) and sends the
 * result. A replay carries the header `Idempotent-Replayed: true`.
 */
export async function replayable<T>(
  db: Database,
  request: FastifyRequest,
  reply: FastifyReply,
  workspaceId: string,
  work: () => Promise<StoredResult<T>>,
): Promise<FastifyReply> {
  const key = idempotencyKeyOf(request);
  if (key === undefined) {
    const result = await work();
    return reply.status(result.statusCode).send(result.body);
  }
  const fingerprint = requestFingerprint([request.method, request.routeOptions.url, request.body ?? null]);
  const outcome = await runIdempotent(db, { workspaceId, key, fingerprint }, work);
  if (outcome.replayed) reply.header('idempotent-replayed', 'true');
  return reply.status(outcome.result.statusCode).send(outcome.result.body);
}

/** Keys are kept 24 hours; removes older ones (called by a periodic job). */
export async function pruneIdempotencyKeys(db: Database, now = Date.now()): Promise<number> {
  const cutoff = new Date(now - 24 * 3600_000);
  const removed = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, cutoff))
    .returning({ key: idempotencyKeys.key });
  return removed.length;
}
