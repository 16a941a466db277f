import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { contactOptEvents, contacts } from '../../../src/modules/contacts/contacts.tables.js';
import { json } from '../../helpers/app.js';
import {
  createSendWorld,
  createTenant,
  customerInbox,
  customerWithOpenWindow,
  eventually,
  type SendWorld,
  send,
  type Tenant,
} from '../messages/send-world.js';

let sw: SendWorld;
let tenant: Tenant;

before(async () => {
  sw = await createSendWorld();
  tenant = await createTenant(sw);
});
after(() => sw.close());

const settingsUrl = () => `/api/v1/workspaces/${tenant.workspaceId}/opt-out-settings`;
const contactUrl = (id = '') => `/api/v1/workspaces/${tenant.workspaceId}/contacts${id ? `/${id}` : ''}`;

type Settings = {
  stopKeywords: string[];
  startKeywords: string[];
  stopReply: string;
  builtInStopKeywords: string[];
};

async function putSettings(body: Record<string, unknown>) {
  return sw.t.inject({
    method: 'PUT',
    url: settingsUrl(),
    headers: tenant.headers,
    payload: {
      stopKeywords: [],
      startKeywords: [],
      stopReply: 'Theek hai, ab aapko message nahi aayenge.',
      startReply: 'Swagat hai, phir se.',
      sendConfirmation: true,
      ...body,
    },
  });
}

async function customerWrites(waId: string, text: string) {
  await sw.world.control('POST', `/_sim/customers/${waId}/send`, {
    phone_number_id: tenant.phoneNumberId,
    type: 'text',
    text: { body: text },
  });
}

const contactRow = async (id: string) =>
  (await sw.t.platform.db.select().from(contacts).where(eq(contacts.id, id)))[0];

test('defaults: no own keywords, the built-in ones listed, the default confirmation text', async () => {
  const res = await sw.t.inject({ method: 'GET', url: settingsUrl(), headers: tenant.headers });
  const settings = json<Settings>(res);
  assert.deepEqual(settings.stopKeywords, []);
  assert.ok(settings.builtInStopKeywords.includes('STOP'));
  assert.match(settings.stopReply, /unsubscribed/);
});

test('keywords are stored as they are matched; one that would both stop and start is refused', async () => {
  const conflict = await putSettings({ stopKeywords: ['roko', 'start'] });
  assert.equal(conflict.statusCode, 400, conflict.body);
  const details = json<{ error: { details: { path: string }[] } }>(conflict).error.details;
  assert.deepEqual(
    details.map((d) => d.path),
    ['body.stopKeywords.1'],
  );
  const saved = await putSettings({ stopKeywords: [' Roko! ', 'roko', 'STOP'], startKeywords: ['phir se'] });
  assert.equal(saved.statusCode, 200, saved.body);
  assert.deepEqual(json<Settings>(saved).stopKeywords, ['ROKO'], 'normalised, repeats and built-ins dropped');
  const [audit] = await sw.t.platform.db
    .select()
    .from(auditLog)
    .where(
      and(eq(auditLog.workspaceId, tenant.workspaceId), eq(auditLog.action, 'opt_out_settings.updated')),
    );
  assert.deepEqual((audit?.after as { stopKeywords?: string[] } | undefined)?.stopKeywords, ['ROKO']);
});

test("a workspace's own STOP keyword opts a customer out through a real webhook, with its own reply", async () => {
  assert.equal((await putSettings({ stopKeywords: ['roko'], startKeywords: ['phir se'] })).statusCode, 200);
  const customer = await customerWithOpenWindow(sw, tenant);
  await customerWrites(customer.waId, 'Roko.');
  const contact = await eventually(
    () => contactRow(customer.contactId),
    (row) => Boolean(row?.optedOutAt),
  );
  assert.ok(contact?.optedOutAt);
  const [event] = await sw.t.platform.db
    .select()
    .from(contactOptEvents)
    .where(eq(contactOptEvents.contactId, customer.contactId));
  assert.deepEqual([event?.change, event?.source, event?.detail], ['opt_out', 'keyword', 'Roko.']);
  await eventually(
    () => customerInbox(sw, customer.waId),
    (inbox) =>
      inbox.some(
        (m) =>
          (m.text as { body?: string } | undefined)?.body === 'Theek hai, ab aapko message nahi aayenge.',
      ),
  );
  const refused = await send(sw, tenant, {
    contactId: customer.contactId,
    type: 'text',
    text: { body: 'Offer!' },
  });
  assert.equal(json<{ error: { code: string } }>(refused).error.code, 'contact_opted_out');

  await customerWrites(customer.waId, 'phir se');
  await eventually(
    () => contactRow(customer.contactId),
    (row) => row?.optedOutAt === null,
  );
  // The built-in keywords still apply next to the workspace's own.
  await customerWrites(customer.waId, 'STOP');
  await eventually(
    () => contactRow(customer.contactId),
    (row) => Boolean(row?.optedOutAt),
  );
});

test('a contact the team deleted comes back when the customer writes again', async () => {
  const customer = await customerWithOpenWindow(sw, tenant);
  const removed = await sw.t.inject({
    method: 'DELETE',
    url: contactUrl(customer.contactId),
    headers: tenant.headers,
  });
  assert.equal(removed.statusCode, 204);
  assert.equal(
    (await sw.t.inject({ method: 'GET', url: contactUrl(customer.contactId), headers: tenant.headers }))
      .statusCode,
    404,
  );
  await customerWrites(customer.waId, 'Hello again');
  await eventually(
    () => contactRow(customer.contactId),
    (row) => row?.deletedAt === null,
  );
  const res = await sw.t.inject({
    method: 'GET',
    url: contactUrl(customer.contactId),
    headers: tenant.headers,
  });
  assert.equal(res.statusCode, 200, res.body);
});

test('a keyword saved while the worker holds the old settings applies to the next message', async () => {
  // The customer's first message makes the worker read (and keep) the settings as they are.
  const customer = await customerWithOpenWindow(sw, tenant);
  assert.equal((await putSettings({ stopKeywords: ['basta ya'] })).statusCode, 200);
  await customerWrites(customer.waId, 'Basta ya');
  // Well inside the 5 s a process keeps a workspace's settings: saving them forgot the old ones.
  const contact = await eventually(
    () => contactRow(customer.contactId),
    (row) => Boolean(row?.optedOutAt),
    2_000,
  );
  assert.ok(contact?.optedOutAt);
});
