import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { templates } from '../../../src/modules/templates/templates.tables.js';
import { type AccessFixture, assertRouteAccess, createAccessFixture } from '../../helpers/access.js';
import { json } from '../../helpers/app.js';
import {
  createSendWorld,
  createTenant,
  customerInbox,
  eventually,
  newCustomerNumber,
  postSignedWebhook,
  type SendWorld,
  send,
  settled,
  type Tenant,
} from '../messages/send-world.js';

let sw: SendWorld;
let tenant: Tenant;

before(async () => {
  sw = await createSendWorld();
  tenant = await createTenant(sw);
});
after(() => sw.close());

const orderReady = (name: string) => ({
  name,
  language: 'en_US',
  category: 'UTILITY',
  components: [
    { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2U='] } },
    {
      type: 'BODY',
      text: 'Hi {{1}}, your order {{2}} is ready for pickup.',
      example: { body_text: [['Priya', 'A-1042']] },
    },
    { type: 'FOOTER', text: 'Chai Point' },
    { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Thanks' }] },
  ],
});

type TemplateReply = {
  template: { id: string; status: string; externalId: string; name: string; language: string };
};
const api = (method: 'GET' | 'POST' | 'DELETE', path: string, payload?: unknown) =>
  sw.t.inject({
    method,
    url: `/api/v1/workspaces/${tenant.workspaceId}${path}`,
    headers: tenant.headers,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

test('template lifecycle: created → approved by webhook → sent to a customer outside the window', async () => {
  await sw.world.control('PATCH', '/_sim/config', { templates: { reviewDelayMs: 800 } });
  const created = await api('POST', '/templates', {
    channelId: tenant.channelId,
    template: orderReady('order_ready'),
  });
  await sw.world.control('PATCH', '/_sim/config', { templates: { reviewDelayMs: 20 } });
  assert.equal(created.statusCode, 201, created.body);
  const { template } = json<TemplateReply>(created);
  assert.equal(template.status, 'PENDING');
  assert.ok(template.externalId);

  const customer = newCustomerNumber();
  await sw.world.addCustomer(customer, 'New customer');
  const early = await send(sw, tenant, {
    type: 'template',
    to: customer,
    template: {
      name: 'order_ready',
      language: 'en_US',
      parameters: {
        header: { type: 'image', link: 'https://example.com/order.jpg' },
        body: ['Priya', 'A-1042'],
      },
    },
  });
  assert.equal(json<{ error: { code: string } }>(early).error.code, 'template_not_approved');

  await eventually(
    async () =>
      (await sw.t.platform.db.select().from(templates).where(eq(templates.id, template.id)))[0]?.status,
    (status) => status === 'APPROVED',
  );
  const sent = await send(sw, tenant, {
    type: 'template',
    to: customer,
    template: {
      name: 'order_ready',
      language: 'en_US',
      parameters: {
        header: { type: 'image', link: 'https://example.com/order.jpg' },
        body: ['Priya', 'A-1042'],
      },
    },
  });
  assert.equal(sent.statusCode, 202, sent.body);
  const row = await settled(sw, json<{ message: { id: string } }>(sent).message.id);
  assert.ok(row.wamid, JSON.stringify(row.error));
  assert.equal(row.preview, 'Hi Priya, your order A-1042 is ready for pickup.');
  const inbox = await customerInbox(sw, customer);
  const got = inbox.find((m) => m.id === row.wamid);
  assert.equal((got?.template as { name?: string } | undefined)?.name, 'order_ready');
});

test("Meta's rules are checked locally before anything is submitted", async () => {
  const bad = {
    name: 'Bad Name',
    language: 'en_US',
    category: 'MARKETING',
    components: [
      { type: 'BODY', text: '{{1}} and {{3}} without examples' },
      { type: 'FOOTER', text: 'x'.repeat(61) },
      {
        type: 'BUTTONS',
        buttons: Array.from({ length: 3 }, (_, i) => ({
          type: 'URL',
          text: `Site ${i}`,
          url: 'https://example.com',
        })),
      },
    ],
  };
  const res = await api('POST', '/templates', { channelId: tenant.channelId, template: bad });
  // The name pattern is part of the request contract; fix it to reach the local rules.
  assert.equal(res.statusCode, 400);
  const local = await api('POST', '/templates', {
    channelId: tenant.channelId,
    template: { ...bad, name: 'bad_one' },
  });
  assert.equal(local.statusCode, 422, local.body);
  const error = json<{ error: { code: string; details: { path: string; message: string }[] } }>(local).error;
  assert.equal(error.code, 'template_invalid');
  const messages = error.details.map((d) => `${d.path}: ${d.message}`).join('\n');
  assert.match(messages, /\{\{1\}\}, \{\{2\}\}/);
  assert.match(messages, /start or end with a variable/);
  assert.match(messages, /example/);
  assert.match(messages, /at most 60/);
  assert.match(messages, /at most 2 URL buttons/);
  const remote = await sw.world
    .control<{ data: { name: string }[] }>(
      'GET',
      `/v23.0/${tenant.wabaExternalId}/message_templates?access_token=x`,
    )
    .catch(() => ({ data: [] }));
  assert.ok(!remote.data.some((t) => t.name === 'bad_one'));
});

test('preview reports exactly which parameters are missing or malformed', async () => {
  const created = await api('POST', '/templates', {
    channelId: tenant.channelId,
    template: orderReady('preview_me'),
  });
  const id = json<TemplateReply>(created).template.id;
  const missing = await api('POST', `/templates/${id}/preview`, { parameters: { body: ['Priya'] } });
  assert.deepEqual(json(missing), {
    ok: false,
    problems: [
      { path: 'header', message: 'the template needs a header image (link or id)' },
      { path: 'body[1]', message: '{{2}} is missing' },
    ],
  });
  const malformed = await api('POST', `/templates/${id}/preview`, {
    parameters: {
      header: { type: 'video', link: 'https://example.com/v.mp4' },
      body: ['Priya', 'two\nlines', 'extra'],
      buttons: [{ index: 3, value: 'x' }],
    },
  });
  assert.deepEqual(json<{ problems: unknown[] }>(malformed).problems, [
    { path: 'header.type', message: "the template's header is image, not video" },
    { path: 'body', message: 'expects 2 values, got 3' },
    { path: 'body[1]', message: 'contains a new line or a tab' },
    { path: 'buttons[3]', message: 'the template has no button at this index' },
  ]);
  const ok = await api('POST', `/templates/${id}/preview`, {
    parameters: { header: { type: 'image', link: 'https://example.com/a.jpg' }, body: ['Priya', 'A-7'] },
  });
  assert.equal(
    json<{ rendered: { body: string } }>(ok).rendered.body,
    'Hi Priya, your order A-7 is ready for pickup.',
  );
});

test('sync mirrors Meta (rejections included) and delete removes the template at Meta', async () => {
  // No review by the simulator during this test: only the forced rejection decides the status.
  await sw.world.control('PATCH', '/_sim/config', { templates: { reviewDelayMs: 60_000 } });
  const created = await api('POST', '/templates', {
    channelId: tenant.channelId,
    template: orderReady('to_reject'),
  });
  await sw.world.control('PATCH', '/_sim/config', { templates: { reviewDelayMs: 20 } });
  const { template } = json<TemplateReply>(created);
  await sw.world.control('POST', `/_sim/templates/${template.externalId}/status`, {
    status: 'REJECTED',
    reason: 'INVALID_FORMAT',
  });
  await sw.t.platform.db.update(templates).set({ status: 'PENDING' }).where(eq(templates.id, template.id));
  const synced = await api('POST', '/templates/sync');
  assert.equal(synced.statusCode, 200, synced.body);
  const audited = await sw.t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.workspaceId, tenant.workspaceId), eq(auditLog.action, 'template.synced')));
  assert.equal(audited.length, 1);
  const [row] = await sw.t.platform.db.select().from(templates).where(eq(templates.id, template.id));
  assert.equal(row?.status, 'REJECTED');
  assert.equal(row?.statusReason, 'INVALID_FORMAT');

  const list = await api('GET', '/templates?status=REJECTED');
  assert.ok(json<{ items: { id: string }[] }>(list).items.some((t) => t.id === template.id));
  const deleted = await api('DELETE', `/templates/${template.id}`);
  assert.equal(deleted.statusCode, 204, deleted.body);
  const again = await api('GET', `/templates/${template.id}`);
  assert.equal(json<TemplateReply>(again).template.status, 'DELETED');
});

/** A signed template webhook (`field`) about `template`, with Meta's event time `time` (seconds). */
function templateWebhook(
  field: string,
  template: TemplateReply['template'],
  value: Record<string, unknown>,
  time: number,
) {
  return postSignedWebhook(sw, {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: tenant.wabaExternalId,
        time,
        changes: [
          {
            field,
            value: {
              message_template_id: Number(template.externalId),
              message_template_name: template.name,
              message_template_language: template.language,
              ...value,
            },
          },
        ],
      },
    ],
  });
}

test("template statuses follow Meta's event time, not arrival order, across webhooks and syncs", async () => {
  // Meta's review is kept out of it: the simulator keeps the template PENDING, which a sync reads.
  await sw.world.control('PATCH', '/_sim/config', { templates: { reviewDelayMs: 60_000 } });
  const created = await api('POST', '/templates', {
    channelId: tenant.channelId,
    template: orderReady('out_of_order'),
  });
  await sw.world.control('PATCH', '/_sim/config', { templates: { reviewDelayMs: 20 } });
  const { template } = json<TemplateReply>(created);
  const statusWebhook = (event: string, time: number) =>
    templateWebhook(
      'message_template_status_update',
      template,
      { event, reason: event === 'REJECTED' ? 'INVALID_FORMAT' : 'NONE' },
      time,
    );
  const stored = async () =>
    (await sw.t.platform.db.select().from(templates).where(eq(templates.id, template.id)))[0]?.status;
  const now = Math.floor(Date.now() / 1000);

  await statusWebhook('APPROVED', now - 20);
  assert.equal(await stored(), 'APPROVED');
  await statusWebhook('REJECTED', now - 30); // delivered late: older than the approval
  assert.equal(await stored(), 'APPROVED');
  await statusWebhook('PENDING', now - 20); // same second as the approval: review follows submission
  assert.equal(await stored(), 'APPROVED');

  // A sync asks Meta now, after the approval's time: Meta's answer (PENDING here) wins …
  assert.equal((await api('POST', '/templates/sync')).statusCode, 200);
  assert.equal(await stored(), 'PENDING');
  // … and a webhook from before the sync no longer applies.
  await statusWebhook('PAUSED', now - 5);
  assert.equal(await stored(), 'PENDING');

  // A newer webhook applies, and a later sync does not undo it with an older answer.
  await statusWebhook('APPROVED', now + 60);
  assert.equal(await stored(), 'APPROVED');
  assert.equal((await api('POST', '/templates/sync')).statusCode, 200);
  assert.equal(await stored(), 'APPROVED');
});

test('quality and category updates also follow event time: a late, older one is skipped', async () => {
  const created = await api('POST', '/templates', {
    channelId: tenant.channelId,
    template: orderReady('quality_order'),
  });
  const { template } = json<TemplateReply>(created);
  const quality = (score: string, time: number) =>
    templateWebhook(
      'message_template_quality_update',
      template,
      { previous_quality_score: 'UNKNOWN', new_quality_score: score },
      time,
    );
  const category = (to: string, time: number) =>
    templateWebhook(
      'template_category_update',
      template,
      { previous_category: 'UTILITY', new_category: to },
      time,
    );
  const stored = async () =>
    (await sw.t.platform.db.select().from(templates).where(eq(templates.id, template.id)))[0];
  const now = Math.floor(Date.now() / 1000) + 120;

  await quality('RED', now);
  await quality('GREEN', now - 60); // delivered late
  assert.equal((await stored())?.qualityScore, 'RED');
  await quality('YELLOW', now + 1);
  assert.equal((await stored())?.qualityScore, 'YELLOW');

  await category('MARKETING', now);
  await category('AUTHENTICATION', now - 60);
  assert.equal((await stored())?.category, 'MARKETING');
  // A sync asked before the webhook's time keeps the newer webhook value.
  assert.equal((await api('POST', '/templates/sync')).statusCode, 200);
  const after = await stored();
  assert.equal(after?.category, 'MARKETING');
  assert.equal(after?.qualityScore, 'YELLOW');
});

test('a webhook for a template the platform has no row for brings it in from Meta at once', async () => {
  // Made in WhatsApp Manager (straight at the Graph API): the platform hears of it first by webhook.
  const { access_token: token } = await sw.world.control<{ access_token: string }>('POST', '/_sim/tokens', {
    app_id: sw.world.appId,
    business_id: sw.world.businessId,
    waba_ids: [tenant.wabaExternalId],
  });
  const res = await fetch(`${sw.world.graph}/${tenant.wabaExternalId}/message_templates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(orderReady('made_in_manager')),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const { id: externalId } = (await res.json()) as { id: string };
  // The simulator approves it within milliseconds; the periodic sync is half an hour away.
  const row = await eventually(
    async () =>
      (
        await sw.t.platform.db
          .select()
          .from(templates)
          .where(and(eq(templates.wabaId, tenant.wabaRowId), eq(templates.externalId, externalId)))
      )[0],
    (found) => found?.status === 'APPROVED',
  );
  assert.equal(row?.name, 'made_in_manager');
  assert.equal(row?.workspaceId, tenant.workspaceId);
});

test('template routes: cross-workspace 404 and per-role checks', async () => {
  const fx: AccessFixture = await createAccessFixture(sw.t);
  const tenants = new Map<string, Tenant>();
  for (const workspaceId of [fx.workspaceId, fx.other.workspaceId]) {
    tenants.set(workspaceId, await createTenant(sw, { workspaceId }));
  }
  let counter = 0;
  const templateIn = async (workspaceId: string) => {
    counter += 1;
    const owner = tenants.get(workspaceId)!;
    const res = await sw.t.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${workspaceId}/templates`,
      headers: owner.headers,
      payload: { channelId: owner.channelId, template: orderReady(`access_${counter}`) },
    });
    return { templateId: json<TemplateReply>(res).template.id };
  };
  await assertRouteAccess(sw.t, fx, {
    method: 'POST',
    path: '/api/v1/workspaces/:workspaceId/templates',
    body: () => {
      counter += 1;
      return { channelId: tenants.get(fx.workspaceId)!.channelId, template: orderReady(`made_${counter}`) };
    },
  });
  await assertRouteAccess(sw.t, fx, { method: 'GET', path: '/api/v1/workspaces/:workspaceId/templates' });
  await assertRouteAccess(sw.t, fx, {
    method: 'POST',
    path: '/api/v1/workspaces/:workspaceId/templates/sync',
  });
  await assertRouteAccess(sw.t, fx, {
    method: 'GET',
    path: '/api/v1/workspaces/:workspaceId/templates/:templateId',
    params: templateIn,
  });
  await assertRouteAccess(sw.t, fx, {
    method: 'POST',
    path: '/api/v1/workspaces/:workspaceId/templates/:templateId/preview',
    params: templateIn,
    body: () => ({ parameters: { body: ['a', 'b'] } }),
  });
  await assertRouteAccess(sw.t, fx, {
    method: 'DELETE',
    path: '/api/v1/workspaces/:workspaceId/templates/:templateId',
    params: templateIn,
  });
});
