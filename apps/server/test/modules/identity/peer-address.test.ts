import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { CapturingMailer } from '../../../src/modules/identity/mailer.js';
import { createModules } from '../../../src/modules/index.js';
import { uniqueEmail } from '../../helpers/access.js';
import { createTestApp } from '../../helpers/app.js';

/*
 * Without TRUST_PROXY the per-IP log-in throttle keys on the peer address. A file of its own: each of its
 * attempts pays for a full password hash (see login-throttle.test.ts).
 */

const mailer = new CapturingMailer();

test('with the default config X-Forwarded-For is ignored: the throttle keys on the peer address', async () => {
  const direct = await createTestApp({ modules: createModules({ mailer }) });
  try {
    const attempt = (remoteAddress: string, forwardedFor: string) =>
      direct.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress,
        headers: { 'x-forwarded-for': forwardedFor },
        payload: { email: uniqueEmail('direct'), password: 'bad password 1' },
      });
    let last = await attempt('198.51.100.7', '10.9.0.1');
    for (let i = 2; i < 42 && last.statusCode !== 429; i++) {
      last = await attempt('198.51.100.7', `10.9.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    }
    assert.equal(last.statusCode, 429, 'a new X-Forwarded-For per attempt does not escape the per-IP limit');
    assert.equal((await attempt('198.51.100.7', '203.0.113.99')).statusCode, 429);
    // Another peer is not affected.
    assert.equal((await attempt('198.51.100.8', '10.9.0.1')).statusCode, 401);
    const logins = await direct.platform.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'auth.login_failed'));
    assert.ok(
      logins.length === 0 || logins.every((r) => r.ip?.startsWith('198.51.100.')),
      'audit IPs are the peer',
    );
  } finally {
    await direct.close();
  }
});
