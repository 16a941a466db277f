import type { Database, Executor } from '../../platform/db/client.js';
import { API_KEY_PREFIX, type ApiKeyPrincipal, type WorkspaceAccess } from '../../platform/http/auth.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import { mayActOnRole, type Role, roles } from '../workspaces/permissions.js';
import { workspaceLimits } from '../workspaces/workspaces.service.js';
import * as repo from './identity.repository.js';
import { randomToken, tokenHash } from './secrets.js';

const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

function view(row: repo.ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    prefix: row.prefix,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
  };
}

export async function listApiKeys(db: Executor, workspaceId: string): Promise<ApiKeyView[]> {
  return (await repo.listActiveApiKeys(db, workspaceId)).map(view);
}

export type CreateApiKeyFailure = 'outranked' | 'key_limit';

/** Creates a key; the secret is in the result once and is never readable again. */
export async function createApiKey(
  db: Database,
  access: WorkspaceAccess,
  input: { name: string; role: Role },
): Promise<
  { ok: true; value: { apiKey: ApiKeyView; secret: string } } | { ok: false; reason: CreateApiKeyFailure }
> {
  // A key may not do more than the person (or key) that made it.
  if (!mayActOnRole(access.role, input.role)) return { ok: false, reason: 'outranked' };
  const secret = `${API_KEY_PREFIX}${randomToken()}`;
  return db.transaction(async (tx) => {
    const limit = (await workspaceLimits(tx, access.workspaceId))?.apiKeys ?? null;
    if (limit !== null && (await repo.countActiveApiKeys(tx, access.workspaceId)) >= limit) {
      return { ok: false as const, reason: 'key_limit' as const };
    }
    const row = await repo.insertApiKey(tx, access.workspaceId, {
      id: newId('apiKey'),
      name: input.name,
      role: input.role,
      prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH),
      keyHash: tokenHash(secret),
      createdByUserId: access.principal.kind === 'user' ? access.principal.userId : null,
    });
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'api_key.created',
      resourceType: 'api_key',
      resourceId: row.id,
      after: { name: row.name, role: row.role, prefix: row.prefix },
    });
    return { ok: true as const, value: { apiKey: view(row), secret } };
  });
}

export async function revokeApiKey(
  db: Database,
  access: WorkspaceAccess,
  apiKeyId: string,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const row = await repo.findActiveApiKeyForUpdate(tx, access.workspaceId, apiKeyId);
    if (!row) return false;
    await repo.revokeApiKey(tx, access.workspaceId, apiKeyId);
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'api_key.revoked',
      resourceType: 'api_key',
      resourceId: row.id,
      before: { name: row.name, role: row.role, prefix: row.prefix },
    });
    return true;
  });
}

export async function resolveApiKey(db: Executor, secret: string): Promise<ApiKeyPrincipal | null> {
  const row = await repo.findActiveApiKeyByHash(db, tokenHash(secret));
  if (!row || !(roles as readonly string[]).includes(row.role)) return null;
  // The row read says whether last use is stale: most requests skip the write (and its round trip).
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await repo.touchApiKey(db, row.workspaceId, row.id, LAST_USED_RESOLUTION_MS);
    row.lastUsedAt = new Date(); // the row may be the recently-read copy: do not touch again for it
  }
  return {
    kind: 'api_key',
    apiKeyId: row.id,
    name: row.name,
    workspaceId: row.workspaceId,
    role: row.role as Role,
  };
}
