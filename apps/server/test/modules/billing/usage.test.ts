import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { decimalToMicros, marketOf, microsToDecimal } from '../../../src/modules/billing/billing.rates.js';
import { governanceFlags } from '../../../src/modules/billing/billing.tables.js';
import { newId } from '../../../src/platform/ids.js';
import { assertRouteAccess, createAccessFixture } from '../../helpers/access.js';
import { json } from '../../helpers/app.js';
import { createTenant, type SendWorld } from '../messages/send-world.js';
import {
  acceptedMessage,
  cbp,
  createBillingWorld,
  ledgerOf,
  pmp,
  postStatuses,
  status,
} from './billing-world.js';

let sw: SendWorld;
before(async () => {
  sw = await createBillingWorld();
});
after(() => sw.close());

test('amounts are exact decimals, markets come from the number', () => {
  assert.equal(decimalToMicros('0.0107'), 10_700);
  assert.equal(decimalToMicros('12'), 12_000_000);
  assert.equal(decimalToMicros('0.1234567'), null, 'more than six decimals is refused, not rounded');
  assert.equal(decimalToMicros('1e3'), null);
  assert.equal(microsToDecimal(10_700), '0.0107');
  assert.equal(microsToDecimal(12_000_000), '12.00');
  assert.equal(microsToDecimal(-2_500_000), '-2.50');
  // 0.1 + 0.2 in floats is 0.30000000000000004; in micros it is exact.
  assert.equal(microsToDecimal(decimalToMicros('0.1')! + decimalToMicros('0.2')!), '0.30');
  assert.equal(marketOf('919876543210'), '91');
  assert.equal(marketOf('14155550123'), '1');
  assert.equal(marketOf('5511987654321'), '55');
  assert.equal(marketOf(null), '*');
});

type Usage = {
  data: { key: string; currency: string; count: number; amount: { micros: number; decimal: string } }[];
  totals: { currency: string; count: number; amount: { micros: number } }[];
};

test('usage per day, category, market and channel, and the CSV export, total the ledger exactly', async () => {
  const tenant = await createTenant(sw);
  const day1 = new Date('2026-03-10T09:00:00Z');
  const day2 = new Date('2026-03-11T18:30:00Z');
  const india = await acceptedMessage(sw, tenant);
  const us = await acceptedMessage(sw, tenant, { waId: '14155550123' });
  const brazil = await acceptedMessage(sw, tenant, { waId: '5511987654321' });
  const auth = await acceptedMessage(sw, tenant, { category: 'AUTHENTICATION' });
  const conversation = await acceptedMessage(sw, tenant);
  await postStatuses(sw, tenant, [
    status(india.wamid, india.waId, 'delivered', day1, pmp('marketing')),
    status(us.wamid, us.waId, 'delivered', day1, pmp('utility')),
    status(brazil.wamid, brazil.waId, 'read', day2, pmp('marketing')),
    status(auth.wamid, auth.waId, 'delivered', day2, pmp('authentication')),
    status(conversation.wamid, conversation.waId, 'delivered', day2, cbp('conv-usage', 'marketing')),
  ]);
  const ledger = await ledgerOf(sw, tenant.workspaceId);
  assert.equal(ledger.length, 5);
  const ledgerSum = ledger.reduce((sum, row) => sum + row.priceMicros, 0);
  assert.ok(ledgerSum > 0);

  const range = 'from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z';
  const get = async (groupBy: string) => {
    const res = await sw.t.inject({
      url: `/api/v1/workspaces/${tenant.workspaceId}/billing/usage?${range}&groupBy=${groupBy}`,
      headers: tenant.headers,
    });
    assert.equal(res.statusCode, 200, res.body);
    return json<Usage>(res);
  };
  for (const groupBy of ['day', 'category', 'market', 'channel']) {
    const usage = await get(groupBy);
    assert.deepEqual(usage.totals, [
      { currency: 'USD', count: 5, amount: { micros: ledgerSum, decimal: microsToDecimal(ledgerSum) } },
    ]);
    assert.equal(
      usage.data.reduce((sum, bucket) => sum + bucket.amount.micros, 0),
      ledgerSum,
      `${groupBy} buckets add up to the ledger`,
    );
  }
  assert.deepEqual(
    (await get('day')).data.map((b) => [b.key, b.count]),
    [
      ['2026-03-10', 2],
      ['2026-03-11', 3],
    ],
  );
  assert.deepEqual(
    (await get('market')).data.map((b) => b.key),
    ['1', '55', '91'],
  );
  const byCategory = new Map((await get('category')).data.map((b) => [b.key, b.amount.micros]));
  assert.equal(byCategory.get('utility'), 4_000, 'US utility at the example rate');

  const csv = await sw.t.inject({
    url: `/api/v1/workspaces/${tenant.workspaceId}/billing/usage/export?${range}`,
    headers: tenant.headers,
  });
  assert.equal(csv.statusCode, 200);
  assert.match(String(csv.headers['content-type']), /text\/csv/);
  const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
  assert.equal(rows.length, ledger.length);
  assert.equal(
    rows.reduce((sum, row) => sum + decimalToMicros(row.price ?? '')!, 0),
    ledgerSum,
    'the export adds up to the ledger to the micro',
  );
  assert.deepEqual(rows.map((row) => row.key).sort(), ledger.map((row) => row.key).sort());
  const [exported, ...more] = await sw.t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.workspaceId, tenant.workspaceId), eq(auditLog.action, 'billing.usage_exported')));
  assert.ok(exported, 'the export is in the audit trail');
  assert.equal(more.length, 0);
  assert.equal(exported.actorType, 'api_key');
  assert.ok(exported.actorId);
  assert.equal(exported.requestId, csv.headers['x-request-id']);
  assert.ok(exported.ip);
  assert.deepEqual(exported.after, { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' });

  const entries = await sw.t.inject({
    url: `/api/v1/workspaces/${tenant.workspaceId}/billing/usage/entries?${range}&limit=3`,
    headers: tenant.headers,
  });
  const page = json<{ data: { id: string }[]; nextBefore: string | null }>(entries);
  assert.equal(page.data.length, 3);
  const rest = await sw.t.inject({
    url: `/api/v1/workspaces/${tenant.workspaceId}/billing/usage/entries?${range}&before=${page.nextBefore}`,
    headers: tenant.headers,
  });
  assert.equal(json<{ data: unknown[] }>(rest).data.length, 2);

  // Outside the range: nothing.
  const empty = await sw.t.inject({
    url: `/api/v1/workspaces/${tenant.workspaceId}/billing/usage?from=2026-05-01T00:00:00Z&to=2026-06-01T00:00:00Z`,
    headers: tenant.headers,
  });
  assert.deepEqual(json<Usage>(empty).totals, []);
});

test('billing routes: roles and other workspaces', async () => {
  const fx = await createAccessFixture(sw.t);
  const base = '/api/v1/workspaces/:workspaceId/billing';
  for (const path of [
    `${base}/usage`,
    `${base}/usage/entries`,
    `${base}/usage/export`,
    `${base}/wallet`,
    `${base}/wallet/entries`,
    `${base}/governance/templates`,
    `${base}/governance/flags`,
    `${base}/governance/settings`,
  ]) {
    await assertRouteAccess(sw.t, fx, { method: 'GET', path });
  }
  await assertRouteAccess(sw.t, fx, {
    method: 'PATCH',
    path: `${base}/governance/settings`,
    body: () => ({ minSample: 40 }),
  });
  await assertRouteAccess(sw.t, fx, {
    method: 'POST',
    path: `${base}/governance/flags/:flagId/review`,
    body: () => ({ note: 'Checked the copy; the list was stale.' }),
    params: async (workspaceId) => {
      const id = newId('governanceFlag');
      await sw.t.platform.db.insert(governanceFlags).values({
        id,
        workspaceId,
        channelId: `ch_${id}`,
        templateName: 'promo',
        reason: 'opt_out_rate',
        metrics: { sends: 100, optOuts: 5 },
        paused: true,
      });
      return { flagId: id };
    },
  });
});
