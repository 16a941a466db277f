import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, asc, eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { releaseDeadHolds } from '../../../src/modules/billing/billing.charges.js';
import { templateSends, walletEntries } from '../../../src/modules/billing/billing.tables.js';
import { messages } from '../../../src/modules/messages/messages.tables.js';
import { templates } from '../../../src/modules/templates/templates.tables.js';
import { newId } from '../../../src/platform/ids.js';
import { json } from '../../helpers/app.js';
import {
  createTenant,
  customerWithOpenWindow,
  eventually,
  newCustomerNumber,
  type SendWorld,
  send,
  settled,
  type Tenant,
} from '../messages/send-world.js';
import {
  approvedTemplate,
  createBillingWorld,
  ledgerOf,
  operatorHeaders,
  templateBody,
  walletOf,
} from './billing-world.js';

let sw: SendWorld;
before(async () => {
  sw = await createBillingWorld();
});
after(() => sw.close());

const INDIA_MARKETING = 11_800;

async function prepaid(tenant: Tenant, topUp: string) {
  const mode = await sw.t.inject({
    method: 'PUT',
    url: `/api/v1/operator/billing/workspaces/${tenant.workspaceId}/wallet`,
    headers: operatorHeaders,
    payload: { mode: 'prepaid' },
  });
  assert.equal(mode.statusCode, 200, mode.body);
  const credit = await sw.t.inject({
    method: 'POST',
    url: `/api/v1/operator/billing/workspaces/${tenant.workspaceId}/wallet/credits`,
    headers: operatorHeaders,
    payload: { amount: topUp, reference: 'razorpay pay_123' },
  });
  assert.equal(credit.statusCode, 201, credit.body);
  return json<{ balance: { micros: number; decimal: string } }>(credit);
}

const entriesOf = (workspaceId: string) =>
  sw.t.platform.db
    .select()
    .from(walletEntries)
    .where(eq(walletEntries.workspaceId, workspaceId))
    .orderBy(asc(walletEntries.id));

async function unreachedCustomer() {
  const waId = newCustomerNumber();
  await sw.world.addCustomer(waId, 'Asha');
  return waId;
}

test('prepaid: a queued template holds its estimate, delivery charges the price and releases the hold', async () => {
  const tenant = await createTenant(sw);
  await approvedTemplate(sw, tenant, 'festive_sale', 'MARKETING');
  const credited = await prepaid(tenant, '0.05');
  assert.deepEqual(credited.balance, { micros: 50_000, decimal: '0.05' });

  const res = await send(sw, tenant, templateBody('festive_sale', { to: await unreachedCustomer() }));
  assert.equal(res.statusCode, 202, res.body);
  const messageId = json<{ message: { id: string } }>(res).message.id;
  await settled(sw, messageId, 'read');
  const wallet = await eventually(
    () => walletOf(sw, tenant.workspaceId),
    (row) => row?.reservedMicros === 0 && row.balanceMicros < 50_000,
  );
  assert.equal(wallet?.balanceMicros, 50_000 - INDIA_MARKETING);

  const entries = await entriesOf(tenant.workspaceId);
  assert.deepEqual(
    entries.map((e) => [e.kind, e.balanceDeltaMicros, e.reservedDeltaMicros]),
    [
      ['top_up', 50_000, 0],
      ['reserve', 0, INDIA_MARKETING],
      ['release', 0, -INDIA_MARKETING],
      ['charge', -INDIA_MARKETING, 0],
    ],
  );
  assert.equal(entries.at(-1)?.balanceAfterMicros, 50_000 - INDIA_MARKETING);
  // The simulator reported the delivery as Meta does; the ledger took it from there.
  const ledger = await ledgerOf(sw, tenant.workspaceId);
  assert.equal(ledger.length, 1);
  assert.equal(ledger[0]?.messageId, messageId);
  const audited = await sw.t.platform.db
    .select({ action: auditLog.action })
    .from(auditLog)
    .where(and(eq(auditLog.workspaceId, tenant.workspaceId), eq(auditLog.resourceType, 'wallet')));
  assert.deepEqual(audited.map((row) => row.action).sort(), [
    'wallet.charged',
    'wallet.configured',
    'wallet.topped_up',
  ]);
});

test('prepaid: a send the available balance cannot cover is refused and nothing is queued', async () => {
  const tenant = await createTenant(sw);
  await approvedTemplate(sw, tenant, 'flash_sale', 'MARKETING');
  await prepaid(tenant, '0.0168'); // one message (0.0118) and 0.005 to spare
  const first = await send(sw, tenant, templateBody('flash_sale', { to: await unreachedCustomer() }));
  assert.equal(first.statusCode, 202, first.body);
  const before = await sw.t.platform.db
    .select({ id: messages.id })
    .from(messages)
    .where(eq(messages.workspaceId, tenant.workspaceId));
  const refused = await send(sw, tenant, templateBody('flash_sale', { to: await unreachedCustomer() }));
  assert.equal(refused.statusCode, 402, refused.body);
  const error = json<{ error: { code: string; message: string } }>(refused).error;
  assert.equal(error.code, 'insufficient_balance');
  assert.match(error.message, /0\.005 USD/);
  const afterRows = await sw.t.platform.db
    .select({ id: messages.id })
    .from(messages)
    .where(eq(messages.workspaceId, tenant.workspaceId));
  assert.equal(afterRows.length, before.length, 'the refused send stored no message');
});

test('prepaid: a message Meta fails releases its estimate and charges nothing', async () => {
  const tenant = await createTenant(sw);
  await approvedTemplate(sw, tenant, 'lost_cart', 'MARKETING');
  await prepaid(tenant, '1');
  // Not a WhatsApp user at the simulator: Meta accepts, then reports 131026.
  const res = await send(sw, tenant, templateBody('lost_cart', { to: newCustomerNumber() }));
  assert.equal(res.statusCode, 202, res.body);
  const messageId = json<{ message: { id: string } }>(res).message.id;
  await settled(sw, messageId, 'failed');
  const wallet = await eventually(
    () => walletOf(sw, tenant.workspaceId),
    (row) => row?.reservedMicros === 0,
  );
  assert.equal(wallet?.balanceMicros, 1_000_000);
  assert.deepEqual(await ledgerOf(sw, tenant.workspaceId), []);
  const [sendRow] = await sw.t.platform.db
    .select()
    .from(templateSends)
    .where(eq(templateSends.messageId, messageId));
  assert.equal(sendRow?.hold, 'released');
  assert.equal(sendRow?.outcome, 'failed');
  assert.equal(sendRow?.errorCode, 131026);
});

test('a utility template inside the customer-service window is free: no hold, no charge', async () => {
  const tenant = await createTenant(sw);
  await approvedTemplate(sw, tenant, 'order_update', 'UTILITY');
  await prepaid(tenant, '0.000001');
  const customer = await customerWithOpenWindow(sw, tenant);
  const res = await send(sw, tenant, templateBody('order_update', { contactId: customer.contactId }));
  assert.equal(res.statusCode, 202, res.body);
  await settled(sw, json<{ message: { id: string } }>(res).message.id, 'read');
  assert.deepEqual(await ledgerOf(sw, tenant.workspaceId), []);
  const kinds = (await entriesOf(tenant.workspaceId)).map((e) => e.kind);
  assert.deepEqual(kinds, ['top_up']);
});

test('operator wallet routes: unknown workspace 404, top-ups must be positive, adjustments may be negative', async () => {
  const tenant = await createTenant(sw);
  const missing = await sw.t.inject({
    method: 'POST',
    url: '/api/v1/operator/billing/workspaces/ws_missing/wallet/credits',
    headers: operatorHeaders,
    payload: { amount: '5', reference: 'x' },
  });
  assert.equal(missing.statusCode, 404);
  const negative = await sw.t.inject({
    method: 'POST',
    url: `/api/v1/operator/billing/workspaces/${tenant.workspaceId}/wallet/credits`,
    headers: operatorHeaders,
    payload: { amount: '-5', reference: 'x' },
  });
  assert.equal(negative.statusCode, 400);
  const adjustment = await sw.t.inject({
    method: 'POST',
    url: `/api/v1/operator/billing/workspaces/${tenant.workspaceId}/wallet/credits`,
    headers: operatorHeaders,
    payload: { kind: 'adjustment', amount: '-2.5', reference: 'credit note 7' },
  });
  assert.equal(adjustment.statusCode, 201, adjustment.body);
  assert.deepEqual(json<{ balance: unknown }>(adjustment).balance, { micros: -2_500_000, decimal: '-2.50' });
  const anonymous = await sw.t.inject({
    method: 'PUT',
    url: `/api/v1/operator/billing/workspaces/${tenant.workspaceId}/wallet`,
    payload: { mode: 'prepaid' },
  });
  assert.equal(anonymous.statusCode, 401);
});

test('a send Meta refuses outright gets no status: the sweeper releases its hold', async () => {
  const tenant = await createTenant(sw);
  // Approved here but unknown to Meta (the simulator): the Graph call fails with 132001.
  await sw.t.platform.db.insert(templates).values({
    id: newId('template'),
    workspaceId: tenant.workspaceId,
    wabaId: tenant.wabaRowId,
    externalId: '9900112233',
    name: 'ghost_promo',
    language: 'en_US',
    category: 'MARKETING',
    status: 'APPROVED',
    components: [{ type: 'BODY', text: 'Boo' }],
  });
  await prepaid(tenant, '1');
  const res = await send(sw, tenant, templateBody('ghost_promo', { to: await unreachedCustomer() }));
  assert.equal(res.statusCode, 202, res.body);
  const messageId = json<{ message: { id: string } }>(res).message.id;
  await settled(sw, messageId, 'failed');
  // No status will come: the sweeper (run here rather than waiting for its tick) releases the hold.
  await sw.t.platform.db.transaction((tx) => releaseDeadHolds(tx));
  const wallet = await walletOf(sw, tenant.workspaceId);
  assert.equal(wallet?.reservedMicros, 0);
  assert.equal(wallet?.balanceMicros, 1_000_000);
  const [row] = await sw.t.platform.db
    .select()
    .from(templateSends)
    .where(eq(templateSends.messageId, messageId));
  assert.equal(row?.hold, 'released');
  assert.equal(row?.errorCode, 132001);
});
