import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Client, type Receiver, useSimulator, type World, waitFor } from './helpers.js';

let c: Client;
let rx: Receiver;
let w: World;
useSimulator((s) => {
  ({ c, rx, w } = s);
});

const create = (body: Record<string, unknown>) =>
  c.graph('POST', `/${w.wabaId}/message_templates`, w.token, body);
const simple = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  language: 'en_US',
  category: 'UTILITY',
  components: [{ type: 'BODY', text: 'Your code is {{1}}', example: { body_text: [['1234']] } }],
  ...extra,
});

test('create → PENDING → APPROVED after the review delay, with a status webhook', async () => {
  const r = await create(simple('shipping_update'));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'PENDING');
  assert.equal(r.body.category, 'UTILITY');
  assert.match(r.body.id, /^\d+$/);
  const got = await waitFor(() => rx.changes('message_template_status_update')[0], 'status webhook');
  assert.deepEqual(got, {
    event: 'APPROVED',
    message_template_id: Number(r.body.id),
    message_template_name: 'shipping_update',
    message_template_language: 'en_US',
    reason: 'NONE',
    message_template_category: 'UTILITY',
  });
  const node = await c.graph('GET', `/${r.body.id}`, w.token);
  assert.equal(node.body.status, 'APPROVED');
});

test('a review can end REJECTED with a reason', async () => {
  await c.control('PATCH', '/config', { templates: { reviewDelayMs: 60_000 } });
  const r = await create(simple('bad_one'));
  await c.control('POST', `/templates/${r.body.id}/status`, {
    status: 'REJECTED',
    reason: 'PROMOTIONAL',
    at_review: true,
  });
  assert.equal(rx.changes('message_template_status_update').length, 0, 'nothing before the review ends');
  await c.control('POST', '/clock/advance', { seconds: 61 });
  const got = await waitFor(() => rx.changes('message_template_status_update')[0], 'status webhook');
  assert.equal(got.event, 'REJECTED');
  assert.equal(got.reason, 'PROMOTIONAL');
  const listed = await c.graph('GET', `/${w.wabaId}/message_templates?status=REJECTED`, w.token);
  assert.equal(listed.body.data[0].rejected_reason, 'PROMOTIONAL');
});

test('list filters by status and pages with cursors; delete removes by name', async () => {
  await c.control('PATCH', '/config', { templates: { reviewDelayMs: 60_000 } });
  const ids: string[] = [];
  for (let i = 0; i < 5; i += 1) ids.push((await create(simple(`t_${i}`))).body.id);
  await c.control('POST', `/templates/${ids[0]}/status`, { status: 'APPROVED' });
  await c.control('POST', `/templates/${ids[1]}/status`, { status: 'APPROVED' });
  const approved = await c.graph('GET', `/${w.wabaId}/message_templates?status=APPROVED`, w.token);
  assert.deepEqual(approved.body.data.map((t: { name: string }) => t.name).sort(), ['t_0', 't_1']);
  const page1 = await c.graph('GET', `/${w.wabaId}/message_templates?limit=2`, w.token);
  assert.equal(page1.body.data.length, 2);
  assert.ok(page1.body.paging.next);
  const after1 = page1.body.paging.cursors.after;
  const page2 = await c.graph('GET', `/${w.wabaId}/message_templates?limit=2&after=${after1}`, w.token);
  const page3 = await c.graph(
    'GET',
    `/${w.wabaId}/message_templates?limit=2&after=${page2.body.paging.cursors.after}`,
    w.token,
  );
  const names = [...page1.body.data, ...page2.body.data, ...page3.body.data].map(
    (t: { name: string }) => t.name,
  );
  assert.equal(new Set(names).size, 5, names.join());
  assert.equal(page3.body.paging.next, undefined);
  const next = await c.call(
    'GET',
    new URL(page1.body.paging.next).pathname + new URL(page1.body.paging.next).search,
    { token: w.token },
  );
  assert.deepEqual(next.body.data, page2.body.data, 'paging.next works as a URL');
  assert.match(
    page1.body.paging.next,
    new RegExp(`^http://[^/]+/v\\d+\\.0/${w.wabaId}/message_templates\\?`),
    'paging.next carries the version like Meta',
  );
  const bare = await c.call('GET', `/${w.wabaId}/message_templates?limit=2`, { token: w.token });
  assert.match(bare.body.paging.next, /\/v23\.0\//, 'an unversioned request still gets a versioned next');
  assert.equal(page1.body.paging.previous, undefined, 'the first page has no previous');
  assert.ok(page2.body.paging.previous, 'page 2 has previous');
  const prevUrl = new URL(page2.body.paging.previous);
  assert.equal(prevUrl.searchParams.get('before'), page2.body.paging.cursors.before);
  assert.equal(prevUrl.searchParams.get('after'), null);
  const prev = await c.call('GET', prevUrl.pathname + prevUrl.search, { token: w.token });
  assert.deepEqual(prev.body.data, page1.body.data, 'paging.previous goes back to page 1');

  const del = await c.graph('DELETE', `/${w.wabaId}/message_templates?name=t_3`, w.token);
  assert.deepEqual(del.body, { success: true });
  const all = await c.graph('GET', `/${w.wabaId}/message_templates?limit=100`, w.token);
  assert.equal(all.body.data.length, 4);
  const again = await c.graph('DELETE', `/${w.wabaId}/message_templates?name=t_3`, w.token);
  assert.equal(again.body.error.code, 100);
});

test('creation is validated like Meta: name, category, lengths, variables, duplicates', async () => {
  const bad: Record<string, unknown>[] = [
    simple('Has Caps'),
    simple('ok_name', { category: 'PROMO' }),
    simple('ok_name', { language: '' }),
    simple('ok_name', { components: [{ type: 'BODY', text: 'x'.repeat(1025) }] }),
    simple('ok_name', {
      components: [{ type: 'BODY', text: 'Hi {{1}} and {{3}}', example: { body_text: [['a', 'b']] } }],
    }),
    simple('ok_name', { components: [{ type: 'BODY', text: 'Hi {{1}}' }] }),
    simple('ok_name', {
      components: [
        { type: 'BODY', text: 'b' },
        { type: 'FOOTER', text: 'x'.repeat(61) },
      ],
    }),
    simple('ok_name', {
      components: [
        { type: 'BODY', text: 'b' },
        { type: 'BUTTONS', buttons: Array.from({ length: 11 }, () => ({ type: 'QUICK_REPLY', text: 'x' })) },
      ],
    }),
    simple('ok_name', {
      components: [
        { type: 'BODY', text: 'b' },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'x'.repeat(26) }] },
      ],
    }),
  ];
  for (const body of bad) {
    const r = await create(body);
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 100));
    assert.equal(r.body.error.code, 100);
  }
  assert.equal((await create(simple('dupe'))).status, 200);
  const dupe = await create(simple('dupe'));
  assert.equal(dupe.body.error.error_subcode, 2388024);
  assert.equal((await create(simple('dupe', { language: 'pt_BR' }))).status, 200, 'another language is fine');
});
