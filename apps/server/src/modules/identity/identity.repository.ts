import { and, count, eq, gt, isNull, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import { type Database, type Executor, preparedStatement } from '../../platform/db/client.js';
import { apiKeys, passwordResets, sessions, users } from './identity.tables.js';

export type UserRow = typeof users.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;

/** Inserts a user unless the email is taken; returns undefined when it is. */
export async function insertUser(db: Executor, row: typeof users.$inferInsert): Promise<UserRow | undefined> {
  const [created] = await db.insert(users).values(row).onConflictDoNothing().returning();
  return created;
}

export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email));
  return row;
}

export async function findUserById(db: Executor, userId: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, userId));
  return row;
}

export async function updatePasswordHash(db: Executor, userId: string, passwordHash: string) {
  await db.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, userId));
}

export async function insertSession(db: Executor, row: typeof sessions.$inferInsert) {
  await db.insert(sessions).values(row);
}

export async function findLiveSession(db: Executor, hash: string, now: Date) {
  const [row] = await db
    .select({ sessionId: sessions.id, userId: users.id, email: users.email })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, hash), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)));
  return row;
}

/** Revokes one session, or all of a user's sessions (optionally all but one). */
export async function revokeSessions(
  db: Executor,
  userId: string,
  which: { only: string } | { except: string } | 'all',
): Promise<number> {
  const scope: SQL[] = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
  if (which !== 'all' && 'only' in which) scope.push(eq(sessions.id, which.only));
  if (which !== 'all' && 'except' in which) scope.push(ne(sessions.id, which.except));
  const revoked = await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(...scope))
    .returning({ id: sessions.id });
  return revoked.length;
}

export async function insertPasswordReset(db: Executor, row: typeof passwordResets.$inferInsert) {
  await db.insert(passwordResets).values(row);
}

export async function findPasswordResetForUpdate(db: Executor, hash: string) {
  const [row] = await db
    .select()
    .from(passwordResets)
    .where(eq(passwordResets.tokenHash, hash))
    .for('update');
  return row;
}

export async function markPasswordResetUsed(db: Executor, id: string) {
  await db.update(passwordResets).set({ usedAt: new Date() }).where(eq(passwordResets.id, id));
}

export async function insertApiKey(
  db: Executor,
  workspaceId: string,
  row: Omit<typeof apiKeys.$inferInsert, 'workspaceId'>,
): Promise<ApiKeyRow> {
  const [created] = await db
    .insert(apiKeys)
    .values({ ...row, workspaceId })
    .returning();
  return created!;
}

export async function listActiveApiKeys(db: Executor, workspaceId: string): Promise<ApiKeyRow[]> {
  return db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)))
    .orderBy(apiKeys.id);
}

export async function countActiveApiKeys(db: Executor, workspaceId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(apiKeys)
    .where(and(eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)));
  return row?.n ?? 0;
}

export async function findActiveApiKeyForUpdate(db: Executor, workspaceId: string, apiKeyId: string) {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.id, apiKeyId), isNull(apiKeys.revokedAt)))
    .for('update');
  return row;
}

export async function revokeApiKey(db: Executor, workspaceId: string, apiKeyId: string) {
  recentKeys.clear();
  await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.id, apiKeyId)));
}

/** Revokes the active keys one user created in one workspace (they leave it); returns the revoked rows. */
export async function revokeApiKeysCreatedBy(
  db: Executor,
  workspaceId: string,
  userId: string,
): Promise<ApiKeyRow[]> {
  recentKeys.clear();
  return db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(apiKeys.workspaceId, workspaceId),
        eq(apiKeys.createdByUserId, userId),
        isNull(apiKeys.revokedAt),
      ),
    )
    .returning();
}

// Every API call looks its key up: a prepared statement.
const activeApiKeyByHash = preparedStatement((db) =>
  db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, sql.placeholder('hash')), isNull(apiKeys.revokedAt)))
    .prepare('api_key_by_hash'),
);

// A client sending hundreds of requests a second would read its key as often: a key found is kept for
// a second per process. Revoking clears them all, so a revoked key stops working at once in the process
// that revoked it and within a second in every other.
const recentKeys = new LRUCache<string, ApiKeyRow>({ max: 10_000, ttl: 1_000 });

/** By hash, across workspaces: the key is what tells us the workspace. */
export async function findActiveApiKeyByHash(db: Database, hash: string): Promise<ApiKeyRow | undefined> {
  const hit = recentKeys.get(hash);
  if (hit) return hit;
  const [row] = await activeApiKeyByHash(db).execute({ hash });
  if (row) recentKeys.set(hash, row);
  return row;
}

/** Records use, at most once per `minIntervalMs` per key. */
export async function touchApiKey(
  db: Executor,
  workspaceId: string,
  apiKeyId: string,
  minIntervalMs: number,
) {
  const now = new Date();
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiKeys.workspaceId, workspaceId),
        eq(apiKeys.id, apiKeyId),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now.getTime() - minIntervalMs))),
      ),
    );
}
