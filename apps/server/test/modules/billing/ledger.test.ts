import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { findRate } from '../../../src/modules/billing/billing.rates.js';
import { json } from '../../helpers/app.js';
import { createTenant, type SendWorld } from '../messages/send-world.js';
import {
  acceptedMessage,
  cbp,
  createBillingWorld,
  ledgerOf,
  operatorHeaders,
  pmp,
  postStatuses,
  status,
  walletOf,
} from './billing-world.js';

let sw: SendWorld;
before(async () => {
  sw = await createBillingWorld();
});
after(() => sw.close());

// The default card's EXAMPLE price of a marketing message to India, in USD micros.
const INDIA_MARKETING = 11_800;
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

test('the default rate card is seeded, marked as example figures', async () => {
  const rate = await findRate(sw.t.platform.db, {
    category: 'marketing',
    market: '91',
    currency: 'USD',
    at: new Date(),
  });
  assert.equal(rate?.priceMicros, INDIA_MARKETING);
  assert.equal(rate?.example, true);
  const fallback = await findRate(sw.t.platform.db, {
    category: 'marketing',
    market: '977',
    currency: 'USD',
    at: new Date(),
  });
  assert.equal(fallback?.market, '*', 'an unlisted market takes the `*` row');
});

test('per-message pricing charges a delivered template once, whatever the order and repeats', async () => {
  const tenant = await createTenant(sw);
  const m = await acceptedMessage(sw, tenant);
  // read arrives before delivered; then delivered; then both again with sent; then a billable:false read.
  await postStatuses(sw, tenant, [status(m.wamid, m.waId, 'read', minutesAgo(3), pmp('marketing'))]);
  await postStatuses(sw, tenant, [status(m.wamid, m.waId, 'delivered', minutesAgo(4), pmp('marketing'))]);
  await postStatuses(sw, tenant, [
    status(m.wamid, m.waId, 'sent', minutesAgo(5), pmp('marketing')),
    status(m.wamid, m.waId, 'delivered', minutesAgo(4), pmp('marketing')),
    status(m.wamid, m.waId, 'read', minutesAgo(3), pmp('marketing')),
  ]);
  await postStatuses(sw, tenant, [
    status(m.wamid, m.waId, 'read', minutesAgo(2), pmp('marketing', 'free_customer_service', false)),
  ]);

  const ledger = await ledgerOf(sw, tenant.workspaceId);
  assert.equal(ledger.length, 1, 'one entry for one message');
  assert.equal(ledger[0]?.key, `pmp:${m.id}`);
  assert.equal(ledger[0]?.pricingModel, 'PMP');
  assert.equal(ledger[0]?.category, 'marketing');
  assert.equal(ledger[0]?.market, '91');
  assert.equal(ledger[0]?.priceMicros, INDIA_MARKETING);
  assert.equal(ledger[0]?.currency, 'USD');
  // Postpaid by default: the balance goes negative by what is owed, and the charge is audited.
  assert.equal((await walletOf(sw, tenant.workspaceId))?.balanceMicros, -INDIA_MARKETING);
  const charges = await sw.t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.workspaceId, tenant.workspaceId), eq(auditLog.action, 'wallet.charged')));
  assert.equal(charges.length, 1);
});

test('sent alone does not charge, and a failed message never does', async () => {
  const tenant = await createTenant(sw);
  const onlySent = await acceptedMessage(sw, tenant);
  const failed = await acceptedMessage(sw, tenant);
  await postStatuses(sw, tenant, [
    status(onlySent.wamid, onlySent.waId, 'sent', minutesAgo(2), pmp('marketing')),
    status(failed.wamid, failed.waId, 'sent', minutesAgo(2), pmp('marketing')),
    status(failed.wamid, failed.waId, 'failed', minutesAgo(1), {
      errors: [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable' }],
    }),
  ]);
  assert.deepEqual(await ledgerOf(sw, tenant.workspaceId), []);
});

test('free messages write nothing: utility in the window, the free entry point, service', async () => {
  const tenant = await createTenant(sw);
  const utility = await acceptedMessage(sw, tenant, { category: 'UTILITY' });
  const entryPoint = await acceptedMessage(sw, tenant);
  const service = await acceptedMessage(sw, tenant);
  await postStatuses(sw, tenant, [
    status(utility.wamid, utility.waId, 'delivered', minutesAgo(1), pmp('utility', 'free_customer_service')),
    status(
      entryPoint.wamid,
      entryPoint.waId,
      'delivered',
      minutesAgo(1),
      pmp('marketing', 'free_entry_point'),
    ),
    status(service.wamid, service.waId, 'delivered', minutesAgo(1), pmp('service', 'free_customer_service')),
  ]);
  assert.deepEqual(await ledgerOf(sw, tenant.workspaceId), []);
});

test('conversation-based pricing charges once per conversation and category', async () => {
  const tenant = await createTenant(sw);
  const first = await acceptedMessage(sw, tenant);
  const second = await acceptedMessage(sw, tenant, { waId: first.waId });
  const utility = await acceptedMessage(sw, tenant, { waId: first.waId, category: 'UTILITY' });
  const referral = await acceptedMessage(sw, tenant);
  await postStatuses(sw, tenant, [
    status(first.wamid, first.waId, 'delivered', minutesAgo(5), cbp('conv-A', 'marketing')),
    status(second.wamid, second.waId, 'delivered', minutesAgo(4), cbp('conv-A', 'marketing')),
    status(utility.wamid, utility.waId, 'delivered', minutesAgo(4), cbp('conv-U', 'utility')),
    status(
      referral.wamid,
      referral.waId,
      'delivered',
      minutesAgo(4),
      cbp('conv-R', 'referral_conversion', false),
    ),
  ]);
  // The same conversation again, in a later batch and out of order.
  await postStatuses(sw, tenant, [
    status(second.wamid, second.waId, 'read', minutesAgo(3), cbp('conv-A', 'marketing')),
    status(first.wamid, first.waId, 'read', minutesAgo(3), cbp('conv-A', 'marketing')),
  ]);
  const ledger = await ledgerOf(sw, tenant.workspaceId);
  assert.deepEqual(ledger.map((row) => row.key).sort(), ['cbp:conv-A:marketing', 'cbp:conv-U:utility']);
  assert.ok(ledger.every((row) => row.pricingModel === 'CBP'));
  assert.equal(ledger.find((row) => row.category === 'marketing')?.metaConversationId, 'conv-A');
});

test('a rate card loaded from CSV prices events by their own time', async () => {
  const csv = [
    'category,market,currency,price,effective_from,effective_to',
    'marketing,91,USD,0.0150,2024-01-01T00:00:00Z,2024-06-01T00:00:00Z',
    'marketing,+91,usd,0.02,2024-06-01T00:00:00Z,',
  ].join('\n');
  const loaded = await sw.t.inject({
    method: 'POST',
    url: '/api/v1/operator/billing/rate-cards',
    headers: operatorHeaders,
    payload: { csv },
  });
  assert.equal(loaded.statusCode, 201, loaded.body);
  assert.equal(json<{ rates: number }>(loaded).rates, 2);

  const tenant = await createTenant(sw);
  const march = await acceptedMessage(sw, tenant);
  const july = await acceptedMessage(sw, tenant);
  const today = await acceptedMessage(sw, tenant);
  await postStatuses(sw, tenant, [
    status(march.wamid, march.waId, 'delivered', new Date('2024-03-01T10:00:00Z'), pmp('marketing')),
    status(july.wamid, july.waId, 'delivered', new Date('2024-07-01T10:00:00Z'), pmp('marketing')),
    status(today.wamid, today.waId, 'delivered', minutesAgo(1), pmp('marketing')),
  ]);
  const prices = new Map(
    (await ledgerOf(sw, tenant.workspaceId)).map((row) => [row.messageId, row.priceMicros]),
  );
  assert.equal(prices.get(march.id), 15_000);
  assert.equal(prices.get(july.id), 20_000);
  // The default card took effect later (July 2025), so it is the one in force today.
  assert.equal(prices.get(today.id), INDIA_MARKETING);
});

test('a bad rate card is refused whole, with every problem by line; the operator token is required', async () => {
  const bad = await sw.t.inject({
    method: 'POST',
    url: '/api/v1/operator/billing/rate-cards',
    headers: operatorHeaders,
    payload: {
      csv: 'category,market,currency,price,effective_from,effective_to\nmarketing,91,USD,0.01.5,2024-01-01,\nsms,91,USD,1,2024-01-01,',
    },
  });
  assert.equal(bad.statusCode, 400);
  const paths = json<{ error: { details: { path: string }[] } }>(bad).error.details.map((d) => d.path);
  assert.deepEqual(paths, ['line 2.price', 'line 3.category']);
  const anonymous = await sw.t.inject({
    method: 'POST',
    url: '/api/v1/operator/billing/rate-cards',
    payload: { csv: 'category,market,currency,price,effective_from\nmarketing,91,USD,1,2024-01-01' },
  });
  assert.equal(anonymous.statusCode, 401);
});
