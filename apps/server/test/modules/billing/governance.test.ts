import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { purgeTemplateSends } from '../../../src/modules/billing/billing.send.js';
import { governanceFlags, templateSends } from '../../../src/modules/billing/billing.tables.js';
import { evaluateGovernance } from '../../../src/modules/billing/governance.service.js';
import { channels } from '../../../src/modules/channels/channels.tables.js';
import { contacts } from '../../../src/modules/contacts/contacts.tables.js';
import { CapturingMailer } from '../../../src/platform/mailer.js';
import { createWorkspaceWithOwner } from '../../helpers/access.js';
import { json } from '../../helpers/app.js';
import {
  createTenant,
  customerWithOpenWindow,
  eventually,
  newCustomerNumber,
  type SendWorld,
  send,
  type Tenant,
} from '../messages/send-world.js';
import { approvedTemplate, createBillingWorld, templateBody } from './billing-world.js';

const mailer = new CapturingMailer();
let sw: SendWorld;
before(async () => {
  sw = await createBillingWorld({ mailer });
});
after(() => sw.close());

const errorOf = (res: Parameters<typeof json>[0]) =>
  json<{ error: { code: string; message: string } }>(res).error;
const HOUR = 3600_000;

async function customer() {
  const waId = newCustomerNumber();
  await sw.world.addCustomer(waId, 'Meera');
  return waId;
}

/** Sends recorded as the send path records them, without sending: history for the thresholds. */
async function pastSends(
  tenant: Tenant,
  template: string,
  rows: { at: Date; errorCode?: number; category?: string; businessInitiated?: boolean }[],
) {
  await sw.t.platform.db.insert(templateSends).values(
    rows.map((row, i) => ({
      messageId: `msg_history_${template}_${i}_${Math.random().toString(36).slice(2)}`,
      workspaceId: tenant.workspaceId,
      channelId: tenant.channelId,
      contactId: `ct_history_${template}_${i}`,
      templateName: template,
      templateLanguage: 'en_US',
      templateCategory: row.category ?? 'MARKETING',
      market: '91',
      currency: 'USD',
      estimateMicros: 0,
      hold: 'none' as const,
      businessInitiated: row.businessInitiated ?? true,
      outcome: row.errorCode ? ('failed' as const) : null,
      errorCode: row.errorCode ?? null,
      createdAt: row.at,
    })),
  );
}

const flagsOf = (workspaceId: string) =>
  sw.t.platform.db.select().from(governanceFlags).where(eq(governanceFlags.workspaceId, workspaceId));

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

test('the messaging-limit tier refuses a new business-initiated recipient past the limit', async () => {
  const tenant = await createTenant(sw);
  await sw.t.platform.db
    .update(channels)
    .set({ messagingLimitTier: 'TIER_250' })
    .where(eq(channels.id, tenant.channelId));
  await approvedTemplate(sw, tenant, 'tier_promo', 'MARKETING');
  const first = await customer();
  assert.equal((await send(sw, tenant, templateBody('tier_promo', { to: first }))).statusCode, 202);
  // 248 more recipients in the last 24 hours (249 with `first`); older ones no longer count.
  await pastSends(tenant, 'tier_promo', [
    ...Array.from({ length: 248 }, (_, i) => ({ at: minutesAgo(10 + i) })),
    ...Array.from({ length: 20 }, () => ({ at: new Date(Date.now() - 25 * HOUR) })),
  ]);
  const last = await send(sw, tenant, templateBody('tier_promo', { to: await customer() }));
  assert.equal(last.statusCode, 202, 'the 250th recipient is within the tier');
  const over = await send(sw, tenant, templateBody('tier_promo', { to: await customer() }));
  assert.equal(over.statusCode, 409, over.body);
  assert.equal(errorOf(over).code, 'tier_limit_reached');
  assert.match(errorOf(over).message, /250 people per rolling 24 hours/);
  // Someone already reached today, or a customer whose window is open, does not add to the count.
  assert.equal((await send(sw, tenant, templateBody('tier_promo', { to: first }))).statusCode, 202);
  const open = await customerWithOpenWindow(sw, tenant);
  const inWindow = await send(sw, tenant, templateBody('tier_promo', { contactId: open.contactId }));
  assert.equal(inWindow.statusCode, 202, inWindow.body);
});

test('an opt-out rate over the threshold flags the template, tells the owners and pauses it until reviewed', async () => {
  const { workspaceId, owner } = await createWorkspaceWithOwner(sw.t);
  const tenant = await createTenant(sw, { workspaceId });
  await approvedTemplate(sw, tenant, 'weekend_offer', 'MARKETING');
  await approvedTemplate(sw, tenant, 'delivery_slot', 'UTILITY');
  const settings = await sw.t.inject({
    method: 'PATCH',
    url: `/api/v1/workspaces/${workspaceId}/billing/governance/settings`,
    headers: tenant.headers,
    payload: { minSample: 10 },
  });
  assert.equal(settings.statusCode, 200, settings.body);
  assert.equal(json<{ optOutRateBasisPoints: number }>(settings).optOutRateBasisPoints, 200);

  const recipients: string[] = [];
  for (let i = 0; i < 10; i++) {
    const waId = await customer();
    recipients.push(waId);
    const res = await send(sw, tenant, templateBody('weekend_offer', { to: waId }));
    assert.equal(res.statusCode, 202, res.body);
  }
  await evaluateGovernance(sw.t.platform);
  assert.deepEqual(await flagsOf(workspaceId), [], 'no opt-outs yet: no flag');

  // One of ten replies STOP: 10% > 2%.
  const stopper = recipients[3]!;
  await sw.world.control('POST', `/_sim/customers/${stopper}/send`, {
    phone_number_id: tenant.phoneNumberId,
    type: 'text',
    text: { body: 'STOP' },
  });
  await eventually(
    async () => {
      const [row] = await sw.t.platform.db
        .select({ optedOutAt: contacts.optedOutAt })
        .from(contacts)
        .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.waId, stopper)));
      return row;
    },
    (row) => Boolean(row?.optedOutAt),
  );
  // The scheduled evaluation may get there first: read the flags, not what this call raised.
  await evaluateGovernance(sw.t.platform);
  await evaluateGovernance(sw.t.platform);
  const raised = await flagsOf(workspaceId);
  assert.equal(raised.length, 1, 'one open flag per reason');
  const flag = raised[0];
  assert.equal(flag?.reason, 'opt_out_rate');
  assert.equal(flag?.templateName, 'weekend_offer');
  assert.equal(flag?.paused, true);
  assert.deepEqual(flag?.metrics, { sends: 10, optOuts: 1, rateBasisPoints: 1000 });

  const mail = await eventually(async () => mailer.last('template_flagged', owner.email!), Boolean);
  assert.match(mail!.subject, /weekend_offer/);

  const paused = await send(sw, tenant, templateBody('weekend_offer', { to: await customer() }));
  assert.equal(paused.statusCode, 422, paused.body);
  assert.equal(errorOf(paused).code, 'template_paused');
  const other = await send(sw, tenant, templateBody('delivery_slot', { to: await customer() }));
  assert.equal(other.statusCode, 202, 'other templates keep sending');

  const list = await sw.t.inject({
    url: `/api/v1/workspaces/${workspaceId}/billing/governance/flags?state=open`,
    headers: tenant.headers,
  });
  assert.deepEqual(
    json<{ data: { id: string }[] }>(list).data.map((row) => row.id),
    [flag!.id],
  );
  const reviewed = await sw.t.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${workspaceId}/billing/governance/flags/${flag!.id}/review`,
    headers: tenant.headers,
    payload: { note: 'Removed the stale list; resuming.' },
  });
  assert.equal(reviewed.statusCode, 200, reviewed.body);
  assert.equal(json<{ state: string }>(reviewed).state, 'reviewed');
  const again = await sw.t.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${workspaceId}/billing/governance/flags/${flag!.id}/review`,
    headers: tenant.headers,
    payload: { note: 'twice' },
  });
  assert.equal(again.statusCode, 404, 'a reviewed flag cannot be reviewed again');
  assert.equal(
    (await send(sw, tenant, templateBody('weekend_offer', { to: await customer() }))).statusCode,
    202,
  );
  await evaluateGovernance(sw.t.platform);
  assert.equal(
    (await flagsOf(workspaceId)).length,
    1,
    'the same hour does not flag again right after a review',
  );

  const audited = await sw.t.platform.db
    .select({ action: auditLog.action })
    .from(auditLog)
    .where(and(eq(auditLog.workspaceId, workspaceId), eq(auditLog.resourceType, 'governance_flag')));
  assert.deepEqual(audited.map((row) => row.action).sort(), [
    'governance.flag_raised',
    'governance.flag_reviewed',
  ]);
});

test('failure rate and a tenfold volume jump raise flags; a non-marketing template is not paused', async () => {
  const tenant = await createTenant(sw);
  const settings = await sw.t.inject({
    method: 'PATCH',
    url: `/api/v1/workspaces/${tenant.workspaceId}/billing/governance/settings`,
    headers: tenant.headers,
    payload: { minSample: 20 },
  });
  assert.equal(settings.statusCode, 200, settings.body);
  // 20 sends in the last hour, 5 of them failing 131049/131026: 25% > 10%.
  await pastSends(tenant, 'restock_alert', [
    ...Array.from({ length: 15 }, (_, i) => ({ at: minutesAgo(5 + i) })),
    ...[131049, 131049, 131026, 131026, 131049].map((errorCode, i) => ({
      at: minutesAgo(30 + i),
      errorCode,
    })),
  ]);
  // One send an hour for the day before, then 120 in the last hour.
  await pastSends(tenant, 'bill_reminder', [
    ...Array.from({ length: 24 }, (_, i) => ({
      at: new Date(Date.now() - (i + 1.5) * HOUR),
      category: 'UTILITY',
    })),
    ...Array.from({ length: 120 }, (_, i) => ({ at: minutesAgo(1 + i / 3), category: 'UTILITY' })),
  ]);
  await evaluateGovernance(sw.t.platform);
  const flags = await flagsOf(tenant.workspaceId);
  const byTemplate = new Map(flags.map((row) => [`${row.templateName}/${row.reason}`, row]));
  assert.deepEqual([...byTemplate.keys()].sort(), [
    'bill_reminder/volume_jump',
    'restock_alert/failure_rate',
  ]);
  assert.equal(byTemplate.get('restock_alert/failure_rate')?.metrics.failures, 5);
  assert.equal(byTemplate.get('restock_alert/failure_rate')?.paused, true);
  assert.equal(byTemplate.get('bill_reminder/volume_jump')?.metrics.sends, 120);
  assert.equal(
    byTemplate.get('bill_reminder/volume_jump')?.paused,
    false,
    'utility sends are flagged, not paused',
  );

  const velocity = await sw.t.inject({
    url: `/api/v1/workspaces/${tenant.workspaceId}/billing/governance/templates`,
    headers: tenant.headers,
  });
  const rows = json<{ data: { templateName: string; sendsLastHour: number; failuresLastHour: number }[] }>(
    velocity,
  ).data;
  assert.equal(rows.find((row) => row.templateName === 'restock_alert')?.failuresLastHour, 5);
  assert.equal(rows.find((row) => row.templateName === 'bill_reminder')?.sendsLastHour, 120);
});

test('template sends past retention are purged, except holds still waiting', async () => {
  const tenant = await createTenant(sw);
  const old = new Date(Date.now() - 9 * 24 * HOUR);
  await pastSends(tenant, 'old_news', [{ at: old }, { at: old }, { at: minutesAgo(5) }]);
  await sw.t.platform.db
    .update(templateSends)
    .set({ hold: 'held' })
    .where(
      and(
        eq(templateSends.workspaceId, tenant.workspaceId),
        eq(templateSends.contactId, 'ct_history_old_news_1'),
      ),
    );
  await purgeTemplateSends(sw.t.platform.db);
  const left = await sw.t.platform.db
    .select({ contactId: templateSends.contactId })
    .from(templateSends)
    .where(eq(templateSends.workspaceId, tenant.workspaceId));
  assert.deepEqual(left.map((row) => row.contactId).sort(), [
    'ct_history_old_news_1',
    'ct_history_old_news_2',
  ]);
});
