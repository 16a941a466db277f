import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseWebhookPayload } from '@openwaba/cloud-api';
import {
  type Client,
  openWindow,
  type Receiver,
  text,
  useSimulator,
  V,
  type WebhookPayload,
  type World,
  waitFor,
} from './helpers.js';
import { bodyOf, fixtureNames, loadFixture, shapeDifferences, stringKind } from './meta-shape.js';

/**
 * The simulator's outputs, key by key and type by type, against payloads Meta documents or that were
 * recorded from Meta (fixtures/meta/*.json, each naming its source). Values that differ naturally (ids,
 * timestamps, hashes, names) are compared by kind only.
 */

let c: Client;
let rx: Receiver;
let w: World;
useSimulator((s) => {
  ({ c, rx, w } = s);
});

function expectShape(fixtureName: string, actual: unknown): void {
  const fixture = loadFixture(fixtureName);
  const problems = shapeDifferences(fixture, actual);
  assert.deepEqual(problems, [], `${fixtureName} (${fixture._source}):\n${JSON.stringify(actual, null, 2)}`);
}

/** The first webhook POST whose body satisfies `pick`. */
function webhookWith(pick: (body: WebhookPayload) => boolean, what: string): Promise<WebhookPayload> {
  return waitFor(() => rx.received.find((r) => pick(r.json))?.json, what);
}

const firstValue = (b: WebhookPayload) => b.entry[0]?.changes[0]?.value;
const hasStatus = (status: string) => (b: WebhookPayload) =>
  firstValue(b)?.statuses?.some((s) => s.status === status) ?? false;
const hasMessage = (type: string) => (b: WebhookPayload) =>
  firstValue(b)?.messages?.some((m) => m.type === type) ?? false;

async function customerSends(body: Record<string, unknown>): Promise<void> {
  await c.control('POST', `/customers/${w.customer}/send`, { phone_number_id: w.phoneId, ...body });
}

async function approvedTemplate(name: string, category: string): Promise<string> {
  const r = await c.graph('POST', `/${w.wabaId}/message_templates`, w.token, {
    name,
    language: 'en_US',
    category,
    components: [{ type: 'BODY', text: 'Hello {{1}}', example: { body_text: [['Ann']] } }],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await c.control('POST', `/templates/${r.body.id}/status`, { status: 'APPROVED' });
  return r.body.id;
}

const templateSend = (name: string) => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: `+${w.customer}`,
  type: 'template',
  template: {
    name,
    language: { code: 'en_US' },
    components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ann' }] }],
  },
});

describe('the comparison itself', () => {
  test('catches a missing key, a number sent as a string, an extra key and a wrong kind', () => {
    const fixture = {
      _source: 'unit',
      body: { a: 1, b: { c: '1750030073', d: 'wamid.X' }, e: [{ f: true }], type: 'text' },
    };
    assert.deepEqual(shapeDifferences(fixture, structuredClone(fixture.body)), []);
    const problems = shapeDifferences(fixture, {
      a: '1',
      b: { c: 'soon', d: 'wamid.Y', z: 0 },
      e: [{ f: true }, {}],
      type: 'image',
    });
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.equal(stringKind('+1 555-010-0001'), 'phone-display');
    assert.equal(stringKind('15550100001'), 'digits');
  });

  test('every fixture names its source and has a body', () => {
    const names = fixtureNames();
    assert.ok(names.length >= 15, `only ${names.length} fixtures`);
    for (const name of names) assert.ok(loadFixture(name).body, name);
  });
});

describe('our webhook parser accepts Meta payloads', () => {
  for (const name of fixtureNames().filter((n) => n.startsWith('webhook-'))) {
    test(name, () => {
      const items = parseWebhookPayload(bodyOf(loadFixture(name)));
      assert.ok(items.length > 0, 'at least one item');
      for (const item of items) assert.notEqual(item.kind, 'unknown_change', `${name}: ${item.kind}`);
    });
  }

  test("a hidden number (from: '') still parses, matched by BSUID", () => {
    const fixture = loadFixture('webhook-text.json');
    const body = bodyOf(fixture) as WebhookPayload;
    const value = firstValue(body) as Record<string, unknown> & { messages: Record<string, unknown>[] };
    value.contacts = [{ profile: { name: 'Sheena' }, wa_id: '', user_id: 'US.13491208655302741918' }];
    const msg = value.messages[0] as Record<string, unknown>;
    msg.from = '';
    msg.from_user_id = 'US.13491208655302741918';
    const [item] = parseWebhookPayload(body);
    assert.equal(item?.kind, 'message');
    assert.equal(item?.kind === 'message' ? item.contact?.user_id : undefined, 'US.13491208655302741918');
  });
});

describe('webhooks the simulator sends', () => {
  test('text message (documented and recorded)', async () => {
    await customerSends({ type: 'text', text: { body: 'Does it come in another color?' } });
    const body = await webhookWith(hasMessage('text'), 'text webhook');
    expectShape('webhook-text.json', body);
    expectShape('webhook-text-recorded.json', body);
  });

  test('image message', async () => {
    await customerSends({
      type: 'image',
      image: { caption: 'Black jacket', mime_type: 'image/jpeg', data_base64: 'aGVsbG8=' },
    });
    expectShape('webhook-image.json', await webhookWith(hasMessage('image'), 'image webhook'));
  });

  test('interactive button and list replies quote the business message', async () => {
    await openWindow(c, w);
    const sent = await c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'Pick one'));
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    await customerSends({
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: 'change-button', title: 'Change' } },
    });
    await customerSends({
      type: 'interactive',
      interactive: {
        type: 'list_reply',
        list_reply: { id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day' },
      },
    });
    const replies = await waitFor(() => {
      const found = rx.received.filter((r) => hasMessage('interactive')(r.json));
      return found.length === 2 ? found : undefined;
    }, 'two interactive webhooks');
    // Deliveries run in parallel, so the two may arrive in either order: match each by its kind.
    const ofKind = (kind: string) =>
      replies.find((r) => JSON.stringify(r.json).includes(`"type":"${kind}"`))?.json;
    expectShape('webhook-interactive-button-reply.json', ofKind('button_reply'));
    expectShape('webhook-interactive-list-reply.json', ofKind('list_reply'));
  });

  test('service message statuses match the recorded PMP statuses (v23.0-style conversation)', async () => {
    // Recorded Oct 2025 under a pre-v24.0 webhook version, when every priced status had a `conversation`.
    await c.control('PATCH', '/config', { statuses: { conversationObject: 'always' } });
    await openWindow(c, w);
    await c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'Here it is'));
    expectShape('webhook-status-sent-recorded.json', await webhookWith(hasStatus('sent'), 'sent'));
    expectShape(
      'webhook-status-delivered-recorded.json',
      await webhookWith(hasStatus('delivered'), 'delivered'),
    );
  });

  test('marketing template delivered outside the window', async () => {
    await approvedTemplate('spring_sale', 'MARKETING');
    const r = await c.graph('POST', `/${w.phoneId}/messages`, w.token, templateSend('spring_sale'));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const body = await webhookWith(hasStatus('delivered'), 'delivered');
    expectShape('webhook-status-delivered-marketing.json', body);
    assert.deepEqual(firstValue(body)?.statuses?.[0]?.pricing, {
      billable: true,
      pricing_model: 'PMP',
      type: 'regular',
      category: 'marketing',
    });
  });

  test('failed status', async () => {
    // No inbound message first: outside the window, so the text fails later with 131047.
    await c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'Too late'));
    expectShape('webhook-status-failed.json', await webhookWith(hasStatus('failed'), 'failed'));
  });

  test('errors not tied to a message (value.errors)', async () => {
    await c.control('POST', `/phone-numbers/${w.phoneId}/errors`, { code: 130429 });
    const body = await webhookWith((b) => Array.isArray(firstValue(b)?.errors), 'errors webhook');
    expectShape('webhook-errors.json', body);
  });

  test('template status update', async () => {
    await c.graph('POST', `/${w.wabaId}/message_templates`, w.token, {
      name: 'order_confirmation',
      language: 'en_US',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Thanks {{1}}', example: { body_text: [['Ann']] } }],
    });
    const body = await webhookWith(
      (b) => b.entry[0]?.changes[0]?.field === 'message_template_status_update',
      'template status webhook',
    );
    expectShape('webhook-template-status-update.json', body);
  });
});

describe('Graph API responses', () => {
  test('send text, send template, mark as read', async () => {
    const inbound = await openWindow(c, w);
    const t = await c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'Hi'));
    expectShape('send-message-response-text.json', t.body);
    await approvedTemplate('order_update', 'UTILITY');
    const tpl = await c.graph('POST', `/${w.phoneId}/messages`, w.token, templateSend('order_update'));
    expectShape('send-message-response-template.json', tpl.body);
    const read = await c.graph('POST', `/${w.phoneId}/messages`, w.token, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: inbound.id,
    });
    expectShape('mark-read-response.json', read.body);
  });

  test('media upload, URL and delete', async () => {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('file', new Blob([Buffer.from('ffd8ffe0', 'hex')], { type: 'image/jpeg' }), 'a.jpg');
    const up = await c.call('POST', `/${V}/${w.phoneId}/media`, { token: w.token, form });
    expectShape('media-upload-response.json', up.body);
    const info = await c.graph('GET', `/${up.body.id}`, w.token);
    expectShape('media-url.json', info.body);
    const del = await c.graph('DELETE', `/${up.body.id}`, w.token);
    expectShape('media-delete-response.json', del.body);
  });

  test('phone numbers list', async () => {
    const r = await c.graph('GET', `/${w.wabaId}/phone_numbers`, w.token);
    expectShape('phone-numbers-list.json', r.body);
  });

  test('debug_token', async () => {
    const r = await c.graph(
      'GET',
      `/debug_token?input_token=${encodeURIComponent(w.token)}`,
      `${w.appId}|${w.secret}`,
    );
    expectShape('debug-token.json', r.body);
  });

  test('message_templates list with paging', async () => {
    await approvedTemplate('first_one', 'UTILITY');
    await approvedTemplate('second_one', 'UTILITY');
    const r = await c.graph('GET', `/${w.wabaId}/message_templates?limit=1`, w.token);
    expectShape('message-templates-list.json', r.body);
  });

  test('Cloud API error envelope and Graph-level 190', async () => {
    await c.control('POST', '/faults', {
      kind: 'send-error',
      code: 131056,
      subcode: 2494055,
      details: 'Pair rate limit hit',
    });
    const e = await c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'x'));
    expectShape('error-envelope.json', e.body);
    const tooLong = await c.graph('POST', `/${w.phoneId}/messages`, w.token, text(w, 'x'.repeat(4097)));
    expectShape('error-envelope.json', {
      ...tooLong.body,
      error: { error_subcode: 1, ...tooLong.body.error },
    });
    const noToken = await c.graph('GET', `/${w.wabaId}/phone_numbers`, undefined);
    assert.equal(noToken.status, 401);
    expectShape('error-190.json', noToken.body);
  });
});
