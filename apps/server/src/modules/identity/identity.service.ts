import type { Database, Executor } from '../../platform/db/client.js';
import type { Actor, UserPrincipal } from '../../platform/http/auth.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/logger.js';
import type { RateLimiter, RateLimits } from '../../platform/ratelimit/rate-limits.js';
import { recordAudit } from '../audit/audit.service.js';
import { acceptInvitationInTx } from '../workspaces/invitations.service.js';
import { createWorkspaceInTx } from '../workspaces/workspaces.service.js';
import * as repo from './identity.repository.js';
import type { Mailer } from './mailer.js';
import { decoyPasswordHash, hashPassword, randomToken, tokenHash, verifyPassword } from './secrets.js';

export const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;
export const PASSWORD_RESET_TTL_MS = 3600 * 1000;

export interface IdentityDeps {
  db: Database;
  logger: Logger;
  mailer: Mailer;
  publicUrl: string;
  limits: {
    loginByIp: RateLimiter;
    loginByAccount: RateLimiter;
    signupByIp: RateLimiter;
    resetByIp: RateLimiter;
    resetByAccount: RateLimiter;
    /** Bounds the audit rows of refused log-ins: a flood must not fill the audit log. */
    throttledAudit: RateLimiter;
  };
}

/** Throttles per account and per IP; the account key is hashed so Redis never holds addresses. */
export function identityLimiters(rateLimits: RateLimits): IdentityDeps['limits'] {
  return {
    loginByIp: rateLimits.limiter({ name: 'login:ip', points: 30, durationSeconds: 900 }),
    loginByAccount: rateLimits.limiter({
      name: 'login:account',
      points: 10,
      durationSeconds: 900,
      blockSeconds: 900,
    }),
    signupByIp: rateLimits.limiter({ name: 'signup:ip', points: 20, durationSeconds: 3600 }),
    resetByIp: rateLimits.limiter({ name: 'reset:ip', points: 10, durationSeconds: 3600 }),
    resetByAccount: rateLimits.limiter({ name: 'reset:account', points: 3, durationSeconds: 3600 }),
    // One row per refusing address or account per minute, however many attempts the throttle refuses.
    throttledAudit: rateLimits.limiter({ name: 'login:throttled-audit', points: 1, durationSeconds: 60 }),
  };
}

export interface PublicUser {
  id: string;
  email: string;
  name: string;
}

export interface StartedSession {
  user: PublicUser;
  /** The cookie value; the caller puts it in the cookie and nowhere else. */
  token: string;
  expiresAt: Date;
  workspaceId?: string;
}

/** Which limit refused an attempt, for the audit row: the caller's address or the account tried. */
type LimitName = 'ip' | 'account';
type Throttled = { ok: false; reason: 'rate_limited'; retryAfterMs: number; limit?: LimitName };

/** Consumes a point of each limiter in turn; the first that refuses ends the attempt, named by its label. */
async function throttle(limiters: [RateLimiter, string, label?: LimitName][]): Promise<Throttled | null> {
  for (const [limiter, key, label] of limiters) {
    const decision = await limiter.consume(key);
    if (!decision.allowed) {
      return { ok: false, reason: 'rate_limited', retryAfterMs: decision.retryAfterMs, limit: label };
    }
  }
  return null;
}

const accountKey = (email: string) => tokenHash(`account:${email}`);

async function startSession(
  tx: Executor,
  actor: Actor,
  userId: string,
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = randomToken();
  const id = newId('session');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await repo.insertSession(tx, {
    id,
    userId,
    tokenHash: tokenHash(token),
    ip: actor.ip,
    userAgent: actor.userAgent,
    expiresAt,
  });
  return { id, token, expiresAt };
}

function asUser(actor: Actor, user: PublicUser, session: { id: string; token: string }): Actor {
  const principal: UserPrincipal = {
    kind: 'user',
    userId: user.id,
    email: user.email,
    sessionId: session.id,
    sessionToken: session.token,
  };
  return { ...actor, principal };
}

export type SignUpFailure = 'email_taken' | 'invalid_invitation' | 'rate_limited';

/** Creates the user, then their first workspace (or joins the invitation's), and a session: all or nothing. */
export async function signUp(
  deps: IdentityDeps,
  actor: Actor,
  input: { email: string; password: string; name: string; workspaceName?: string; invitationToken?: string },
): Promise<
  | { ok: true; value: StartedSession }
  | Throttled
  | { ok: false; reason: Exclude<SignUpFailure, 'rate_limited'> }
> {
  const throttled = await throttle([[deps.limits.signupByIp, actor.ip ?? 'unknown']]);
  if (throttled) return throttled;
  const passwordHash = await hashPassword(input.password);
  return deps.db
    .transaction(async (tx) => {
      const user = await repo.insertUser(tx, {
        id: newId('user'),
        email: input.email,
        name: input.name,
        passwordHash,
      });
      if (!user) return { ok: false as const, reason: 'email_taken' as const };
      const publicUser = { id: user.id, email: user.email, name: user.name };
      const session = await startSession(tx, actor, user.id);
      const self = asUser(actor, publicUser, session);
      await recordAudit(tx, self, {
        workspaceId: null,
        action: 'user.signed_up',
        resourceType: 'user',
        resourceId: user.id,
        after: { email: user.email, name: user.name },
      });
      let workspaceId: string;
      if (input.invitationToken) {
        const accepted = await acceptInvitationInTx(
          tx,
          self,
          { userId: user.id, email: user.email },
          input.invitationToken,
        );
        // Undo the user too: a failed sign-up leaves nothing behind.
        if (!accepted.ok) throw new SignUpRollback('invalid_invitation');
        workspaceId = accepted.value.workspaceId;
      } else {
        const name = input.workspaceName ?? `${input.name}'s workspace`;
        workspaceId = (await createWorkspaceInTx(tx, self, { name, ownerUserId: user.id })).id;
      }
      return {
        ok: true as const,
        value: { user: publicUser, token: session.token, expiresAt: session.expiresAt, workspaceId },
      };
    })
    .catch((error: unknown) => {
      if (error instanceof SignUpRollback) return { ok: false as const, reason: error.reason };
      throw error;
    });
}

class SignUpRollback extends Error {
  constructor(readonly reason: 'invalid_invitation') {
    super(reason);
  }
}

export async function logIn(
  deps: IdentityDeps,
  actor: Actor,
  input: { email: string; password: string },
): Promise<{ ok: true; value: StartedSession } | Throttled | { ok: false; reason: 'invalid_credentials' }> {
  const throttled = await throttle([
    [deps.limits.loginByIp, actor.ip ?? 'unknown', 'ip'],
    [deps.limits.loginByAccount, accountKey(input.email), 'account'],
  ]);
  if (throttled) {
    // A refused attempt is still an attempt on the account: its owner sees it in their security log.
    // One row a minute per refusing key (the address, or the account): a flood cannot fill the log.
    const refusingKey =
      throttled.limit === 'ip' ? `ip:${actor.ip ?? 'unknown'}` : `account:${accountKey(input.email)}`;
    const once = await deps.limits.throttledAudit.consume(refusingKey);
    if (once.allowed) {
      const user = await repo.findUserByEmail(deps.db, input.email);
      await recordFailedLogIn(deps.db, actor, input.email, user?.id ?? null, {
        reason: 'rate_limited',
        limit: throttled.limit,
      });
    }
    return throttled;
  }
  const user = await repo.findUserByEmail(deps.db, input.email);
  // Unknown emails still pay for a hash check, so timing doesn't tell them apart from wrong passwords.
  const valid = await verifyPassword(input.password, user?.passwordHash ?? (await decoyPasswordHash()));
  if (!user || !valid) {
    await recordFailedLogIn(deps.db, actor, input.email, user?.id ?? null, { reason: 'invalid_credentials' });
    return { ok: false, reason: 'invalid_credentials' };
  }
  await deps.limits.loginByAccount.reset(accountKey(input.email));
  const publicUser = { id: user.id, email: user.email, name: user.name };
  return deps.db.transaction(async (tx) => {
    const session = await startSession(tx, actor, user.id);
    await recordAudit(tx, asUser(actor, publicUser, session), {
      workspaceId: null,
      action: 'auth.login',
      resourceType: 'session',
      resourceId: session.id,
    });
    return {
      ok: true as const,
      value: { user: publicUser, token: session.token, expiresAt: session.expiresAt },
    };
  });
}

/** No change to commit with it, so the row is written on its own. */
function recordFailedLogIn(
  db: Executor,
  actor: Actor,
  email: string,
  userId: string | null,
  why: { reason: 'invalid_credentials' } | { reason: 'rate_limited'; limit: LimitName | undefined },
): Promise<void> {
  return recordAudit(db, actor, {
    workspaceId: null,
    action: 'auth.login_failed',
    resourceType: 'user',
    resourceId: userId,
    actorLabel: email,
    after: why,
  });
}

export async function resolveSession(db: Executor, token: string): Promise<UserPrincipal | null> {
  const row = await repo.findLiveSession(db, tokenHash(token), new Date());
  return row
    ? { kind: 'user', userId: row.userId, email: row.email, sessionId: row.sessionId, sessionToken: token }
    : null;
}

export async function logOut(
  db: Database,
  actor: Actor,
  user: UserPrincipal,
  everywhere: boolean,
): Promise<number> {
  return db.transaction(async (tx) => {
    const revoked = await repo.revokeSessions(tx, user.userId, everywhere ? 'all' : { only: user.sessionId });
    await recordAudit(tx, actor, {
      workspaceId: null,
      action: everywhere ? 'auth.logout_everywhere' : 'auth.logout',
      resourceType: everywhere ? 'user' : 'session',
      resourceId: everywhere ? user.userId : user.sessionId,
      after: { sessionsRevoked: revoked },
    });
    return revoked;
  });
}

export async function getUser(db: Executor, userId: string): Promise<PublicUser | undefined> {
  const user = await repo.findUserById(db, userId);
  return user ? { id: user.id, email: user.email, name: user.name } : undefined;
}

/** Changes the password and signs out every other session (a thief's included). */
export async function changePassword(
  deps: IdentityDeps,
  actor: Actor,
  user: UserPrincipal,
  input: { currentPassword: string; newPassword: string },
): Promise<{ ok: true } | Throttled | { ok: false; reason: 'wrong_password' }> {
  const throttled = await throttle([[deps.limits.loginByAccount, accountKey(user.email)]]);
  if (throttled) return throttled;
  const row = await repo.findUserById(deps.db, user.userId);
  if (!row || !(await verifyPassword(input.currentPassword, row.passwordHash))) {
    return { ok: false, reason: 'wrong_password' };
  }
  const passwordHash = await hashPassword(input.newPassword);
  await deps.db.transaction(async (tx) => {
    await repo.updatePasswordHash(tx, user.userId, passwordHash);
    const revoked = await repo.revokeSessions(tx, user.userId, { except: user.sessionId });
    await recordAudit(tx, actor, {
      workspaceId: null,
      action: 'user.password_changed',
      resourceType: 'user',
      resourceId: user.userId,
      after: { otherSessionsRevoked: revoked },
    });
  });
  return { ok: true };
}

/**
 * Emails a single-use reset link when the account exists; the reply never says whether it does, and
 * neither does its timing: an unknown address makes and hashes a token and writes its audit row in a
 * transaction like a known one, and the email is handed to the mailer without waiting for delivery.
 */
export async function requestPasswordReset(
  deps: IdentityDeps,
  actor: Actor,
  email: string,
): Promise<{ ok: true } | Throttled> {
  const throttled = await throttle([
    [deps.limits.resetByIp, actor.ip ?? 'unknown'],
    [deps.limits.resetByAccount, accountKey(email)],
  ]);
  if (throttled) return throttled;
  const user = await repo.findUserByEmail(deps.db, email);
  const token = randomToken();
  const hash = tokenHash(token);
  await deps.db.transaction(async (tx) => {
    if (user) {
      await repo.insertPasswordReset(tx, {
        id: newId('passwordReset'),
        userId: user.id,
        tokenHash: hash,
        expiresAt: new Date(Date.now() + PASSWORD_RESET_TTL_MS),
      });
    }
    await recordAudit(tx, actor, {
      workspaceId: null,
      action: 'auth.password_reset_requested',
      resourceType: 'user',
      resourceId: user?.id ?? null,
      actorLabel: email,
      after: { accountExists: user !== undefined },
    });
  });
  if (!user) return { ok: true };
  const link = `${deps.publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
  // Not awaited: a slow mail transport would otherwise tell known addresses from unknown ones.
  deps.mailer
    .send({
      kind: 'password_reset',
      to: user.email,
      subject: 'Reset your OpenWABA password',
      text: `Someone asked to reset the password of ${user.email}. The link works once, within an hour: ${link}`,
      link,
    })
    .catch((error: unknown) =>
      deps.logger.error({ err: error, kind: 'password_reset' }, 'reset email failed'),
    );
  return { ok: true };
}

/** Spends a reset token: new password, every session revoked. */
export async function resetPassword(
  deps: IdentityDeps,
  actor: Actor,
  input: { token: string; newPassword: string },
): Promise<{ ok: true } | { ok: false; reason: 'invalid_token' }> {
  const passwordHash = await hashPassword(input.newPassword);
  return deps.db.transaction(async (tx) => {
    const reset = await repo.findPasswordResetForUpdate(tx, tokenHash(input.token));
    if (!reset || reset.usedAt || reset.expiresAt <= new Date())
      return { ok: false as const, reason: 'invalid_token' as const };
    await repo.updatePasswordHash(tx, reset.userId, passwordHash);
    await repo.markPasswordResetUsed(tx, reset.id);
    const revoked = await repo.revokeSessions(tx, reset.userId, 'all');
    await recordAudit(tx, actor, {
      workspaceId: null,
      action: 'user.password_reset',
      resourceType: 'user',
      resourceId: reset.userId,
      after: { sessionsRevoked: revoked },
    });
    return { ok: true as const };
  });
}
