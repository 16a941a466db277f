import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { contacts } from '../../../src/modules/contacts/contacts.tables.js';
import { contactOptChanged } from '../../../src/modules/messages/messages.events.js';
import { type AccessFixture, type Caller, createAccessFixture } from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';
import { seedChannel, seedConversation } from '../conversations/fixtures.js';

let t: TestApp;
let fx: AccessFixture;
let channelId: string;

before(async () => {
  t = await createTestApp({ worker: false });
  fx = await createAccessFixture(t);
  channelId = await seedChannel(t, fx.workspaceId);
});
after(() => t.close());

type Contact = {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  waId: string | null;
  tags: string[];
  attributes: Record<string, string>;
  optedOutAt: string | null;
  optHistory: {
    change: string;
    source: string;
    detail: string | null;
    actor: { id: string; label: string | null } | null;
  }[];
  conversations: { id: string }[];
};
type Page = { items: Contact[]; nextCursor: string | null };

const url = (path = '') => `/api/v1/workspaces/${fx.workspaceId}/contacts${path}`;

async function call(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  caller: Caller,
  payload?: object,
) {
  return t.inject({ method, url: url(path), headers: caller.headers, ...(payload ? { payload } : {}) });
}

async function create(payload: Record<string, unknown>, caller: Caller = fx.members.owner) {
  const res = await call('POST', '', caller, payload);
  assert.equal(res.statusCode, 201, res.body);
  return json<Contact>(res);
}

async function list(query: string, caller: Caller = fx.members.owner) {
  const res = await call('GET', `?${query}`, caller);
  assert.equal(res.statusCode, 200, res.body);
  return json<Page>(res);
}

test('creating a contact normalises the phone number; bad and duplicate numbers are refused', async () => {
  const national = await create({
    phone: '098450 12345',
    country: 'IN',
    name: 'Asha Rao',
    tags: ['vip', 'vip'],
  });
  assert.equal(national.phone, '+919845012345');
  assert.equal(national.waId, '919845012345');
  assert.deepEqual(national.tags, ['vip'], 'tags are de-duplicated');
  const formatted = await create({ phone: '+1 (415) 555-0132', email: 'sam@example.com' });
  assert.equal(formatted.phone, '+14155550132');

  const bad = await call('POST', '', fx.members.owner, { phone: '12345' });
  assert.equal(bad.statusCode, 400);
  assert.equal(json<{ error: { details: { path: string }[] } }>(bad).error.details[0]?.path, 'body.phone');
  const duplicate = await call('POST', '', fx.members.owner, { phone: '+91 98450 12345' });
  assert.equal(duplicate.statusCode, 409, duplicate.body);
  assert.equal(json<{ error: { code: string } }>(duplicate).error.code, 'already_exists');

  const [audit] = await t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.resourceId, national.id), eq(auditLog.action, 'contact.created')));
  assert.equal(audit?.actorLabel, fx.members.owner.email);
});

test('the list searches by name, phone and email prefix, filters by tag and opt-out state, and pages', async () => {
  await create({ phone: '+919811100001', name: 'Zoya Khan', email: 'zoya@shop.in', tags: ['wholesale'] });
  await create({ phone: '+919811100002', name: 'Zubin Mehta', tags: ['wholesale', 'vip'] });
  await create({ phone: '+919811100003', name: 'Zara_Ali' });
  const optedOut = await create({ phone: '+919811100004', name: 'Zeenat' });
  await t.platform.db.update(contacts).set({ optedOutAt: new Date() }).where(eq(contacts.id, optedOut.id));

  const names = (page: Page) => page.items.map((c) => c.name).sort();
  assert.deepEqual(names(await list('q=zo')), ['Zoya Khan']);
  assert.deepEqual(names(await list('q=ZOYA@')), ['Zoya Khan'], 'email prefix, any case');
  assert.deepEqual(names(await list(`q=${encodeURIComponent('+91 98111 0000')}`)).length, 4);
  assert.deepEqual(names(await list('q=zara_')), ['Zara_Ali']);
  assert.deepEqual(names(await list('q=z%25')), [], 'LIKE wildcards match literally');
  assert.deepEqual(names(await list('tag=wholesale')), ['Zoya Khan', 'Zubin Mehta']);
  assert.deepEqual(names(await list('tag=wholesale&q=zub')), ['Zubin Mehta']);
  assert.deepEqual(names(await list('q=z&optState=opted_out')), ['Zeenat']);
  assert.equal((await list('q=z&optState=subscribed')).items.length, 3);

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await list(`q=z&sort=name&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...page.items.map((c) => c.name ?? ''));
    cursor = page.nextCursor;
  } while (cursor);
  assert.deepEqual(seen, ['Zara_Ali', 'Zeenat', 'Zoya Khan', 'Zubin Mehta'], 'A to Z across pages');
  const bad = await call('GET', '?sort=created&cursor=garbage', fx.members.owner);
  assert.equal(bad.statusCode, 400);

  const tags = json<{ items: { tag: string; contacts: number }[] }>(
    await call('GET', '/tags', fx.members.owner),
  );
  assert.deepEqual(tags.items.slice(0, 2), [
    { tag: 'vip', contacts: 2 },
    { tag: 'wholesale', contacts: 2 },
  ]);
});

test('updating replaces name, attributes and tags, audited with before and after', async () => {
  const contact = await create({ phone: '+919822200001', name: 'Old name', attributes: { city: 'Pune' } });
  const res = await call('PATCH', `/${contact.id}`, fx.members.agent, {
    name: 'New name',
    attributes: { city: 'Mumbai', plan: 'gold' },
    tags: ['repeat'],
  });
  // An Agent sees only contacts of conversations they may see: this one has none.
  assert.equal(res.statusCode, 404, res.body);
  const updated = json<Contact>(
    await call('PATCH', `/${contact.id}`, fx.members.manager, {
      name: 'New name',
      attributes: { city: 'Mumbai', plan: 'gold' },
      tags: ['repeat'],
    }),
  );
  assert.equal(updated.name, 'New name');
  assert.deepEqual(updated.attributes, { city: 'Mumbai', plan: 'gold' });
  assert.deepEqual(updated.tags, ['repeat']);
  const [audit] = await t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.resourceId, contact.id), eq(auditLog.action, 'contact.updated')));
  assert.deepEqual(audit?.before, { name: 'Old name', attributes: { city: 'Pune' }, tags: [] });

  const invalid = await call('PATCH', `/${contact.id}`, fx.members.manager, { email: 'not-an-email' });
  assert.equal(invalid.statusCode, 400);
});

test('an Agent sees only contacts of the conversations they may see', async () => {
  const mine = await seedConversation(t, fx.workspaceId, {
    channelId,
    name: 'Agent Customer',
    assigneeId: fx.members.agent.userId,
    tags: ['agent-tag'],
  });
  const others = await seedConversation(t, fx.workspaceId, {
    channelId,
    name: 'Agent Other',
    assigneeId: fx.members.manager.userId,
  });
  const page = await list('q=agent', fx.members.agent);
  assert.deepEqual(
    page.items.map((c) => c.id),
    [mine.contactId],
  );
  assert.equal((await list('q=agent', fx.members.viewer)).items.length, 2, 'a Viewer reads all');
  assert.equal((await call('GET', `/${others.contactId}`, fx.members.agent)).statusCode, 404);
  const detail = json<Contact>(await call('GET', `/${mine.contactId}`, fx.members.agent));
  assert.deepEqual(
    detail.conversations.map((c) => c.id),
    [mine.id],
  );
  const tags = json<{ items: { tag: string }[] }>(await call('GET', '/tags', fx.members.agent));
  assert.deepEqual(
    tags.items.map((item) => item.tag),
    ['agent-tag'],
  );
  assert.equal((await list('q=agent', fx.keys.agent)).items.length, 0, 'an Agent key is assigned nothing');
});

test('a manual opt-out keeps the reason and who did it, is audited and announced; opt-in likewise', async () => {
  const contact = await create({ phone: '+919833300001', name: 'Opt Person' });
  const events: unknown[] = [];
  const off = await t.platform.events.subscribe(contactOptChanged, (event) => events.push(event));
  const res = await call('POST', `/${contact.id}/opt-out`, fx.members.manager, { reason: 'asked by phone' });
  assert.equal(res.statusCode, 200, res.body);
  const out = json<Contact>(res);
  assert.ok(out.optedOutAt);
  assert.deepEqual(
    out.optHistory.map((e) => [e.change, e.source, e.detail, e.actor?.label]),
    [['opt_out', 'agent', 'asked by phone', fx.members.manager.email]],
  );
  const again = json<Contact>(
    await call('POST', `/${contact.id}/opt-out`, fx.members.manager, { reason: 'asked twice' }),
  );
  assert.equal(again.optHistory.length, 1, 'opting out an opted-out contact changes nothing');

  const back = json<Contact>(
    await call('POST', `/${contact.id}/opt-in`, fx.keys.manager, { reason: 'signed the consent form' }),
  );
  assert.equal(back.optedOutAt, null);
  assert.deepEqual(back.optHistory[0] && [back.optHistory[0].change, back.optHistory[0].source], [
    'opt_in',
    'api',
  ]);
  const short = await call('POST', `/${contact.id}/opt-out`, fx.members.manager, { reason: '' });
  assert.equal(short.statusCode, 400, 'a reason is required');

  const audited = await t.platform.db.select().from(auditLog).where(eq(auditLog.resourceId, contact.id));
  assert.deepEqual(audited.map((row) => row.action).sort(), [
    'contact.created',
    'contact.opt_in',
    'contact.opt_out',
  ]);
  for (let i = 0; i < 50 && events.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  await off();
  assert.deepEqual(
    events.map((e) => (e as { change: string }).change),
    ['opt_out', 'opt_in'],
  );
});

test('delete erases a contact nothing refers to, and hides one with conversations or opt history', async () => {
  const lonely = await create({ phone: '+919844400001', name: 'Lonely' });
  assert.equal((await call('DELETE', `/${lonely.id}`, fx.members.manager)).statusCode, 204);
  assert.equal((await t.platform.db.select().from(contacts).where(eq(contacts.id, lonely.id))).length, 0);

  const talked = await seedConversation(t, fx.workspaceId, { channelId, name: 'Talked' });
  assert.equal((await call('DELETE', `/${talked.contactId}`, fx.members.manager)).statusCode, 204);
  const [hidden] = await t.platform.db.select().from(contacts).where(eq(contacts.id, talked.contactId));
  assert.ok(hidden?.deletedAt, 'kept for the inbox, marked deleted');
  assert.equal((await call('GET', `/${talked.contactId}`, fx.members.manager)).statusCode, 404);
  assert.equal((await list('q=talked')).items.length, 0);

  // An opted-out contact, deleted and added again, is still opted out.
  const stopped = await create({ phone: '+919844400002', name: 'Stopped' });
  await call('POST', `/${stopped.id}/opt-out`, fx.members.manager, { reason: 'wrote to support' });
  assert.equal((await call('DELETE', `/${stopped.id}`, fx.members.manager)).statusCode, 204);
  const again = await create({ phone: '+919844400002', name: 'Stopped again' });
  assert.equal(again.id, stopped.id);
  assert.equal(again.name, 'Stopped again');
  assert.ok(again.optedOutAt, 'the opt-out survived the delete');
});

test('the CSV export streams the matching contacts, with spreadsheet formulas defused', async () => {
  await create({ phone: '+919855500001', name: '=HYPERLINK("x")', tags: ['csv-test', 'b'] });
  await create({ phone: '+919855500002', name: 'Plain', tags: ['csv-test'], attributes: { city: 'Goa' } });
  const res = await call('GET', '/export?tag=csv-test', fx.members.owner);
  assert.equal(res.statusCode, 200, res.body);
  assert.match(res.headers['content-type'] as string, /text\/csv/);
  const lines = res.body.trim().split('\n');
  assert.equal(
    lines[0],
    'id,name,profile_name,phone,email,tags,attributes,opted_out_at,marketing_opted_out_at,last_inbound_at,created_at',
  );
  assert.equal(lines.length, 3);
  assert.ok(
    lines.some((line) => line.includes(`"'=HYPERLINK(""x"")"`)),
    lines.join('\n'),
  );
  assert.ok(lines.some((line) => line.includes('+919855500002') && line.includes('csv-test')));
  const [audit] = await t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.workspaceId, fx.workspaceId), eq(auditLog.action, 'contacts.exported')));
  assert.ok(audit, 'the export is audited');
});
