import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import type { TestApp } from '../../helpers/app.js';

/**
 * Log-in calls for identity tests run behind a trusted proxy (TRUST_PROXY=true): each call comes from
 * its own address in `subnet` (e.g. '10.1'), so a per-IP limit bites only where a test aims at it.
 */
export function authClient(app: () => TestApp, subnet: string, password: string) {
  let counter = 0;
  const freshIp = (): Record<string, string> => {
    counter += 1;
    return { 'x-forwarded-for': `${subnet}.${Math.floor(counter / 250)}.${(counter % 250) + 1}` };
  };
  return {
    freshIp,
    logIn(email: string, pw = password, headers: Record<string, string> = freshIp()) {
      return app().inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password: pw },
        headers,
      });
    },
    /** The one audit row a request wrote. */
    async auditRowOf(res: { headers: Record<string, unknown> }) {
      const rows = await app()
        .platform.db.select()
        .from(auditLog)
        .where(eq(auditLog.requestId, String(res.headers['x-request-id'])));
      assert.equal(rows.length, 1, 'one audit row for the attempt');
      return rows[0]!;
    },
  };
}
