import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { GraphApiError, WhatsAppClient } from '@kapso/whatsapp-cloud-api';
import { normalizeWebhook, verifySignature } from '@kapso/whatsapp-cloud-api/server';
import {
  type Client,
  openWindow,
  type Receiver,
  setupWorld,
  startAll,
  V,
  type World,
  waitFor,
} from './helpers.js';

/**
 * A third-party Cloud API client, used unchanged against the simulator: Kapso's
 * `@kapso/whatsapp-cloud-api` (maintained, Node ≥ 20.19, documented `baseUrl` and `graphVersion`
 * options). The only setting that differs from talking to Meta is `baseUrl`. Its webhook helpers
 * verify and normalise what the simulator posts.
 */

let c: Client;
let rx: Receiver;
let w: World;
let baseUrl: string;
let close: () => Promise<void>;

before(async () => {
  const s = await startAll();
  c = s.c;
  rx = s.rx;
  baseUrl = s.sim.url;
  close = async () => {
    await s.sim.close();
    await rx.close();
  };
});
after(() => close());
beforeEach(async () => {
  await c.control('POST', '/reset');
  rx.clear();
  w = await setupWorld(c, rx);
});

const client = (token = w.token): WhatsAppClient =>
  new WhatsAppClient({ accessToken: token, baseUrl, graphVersion: V });

async function approvedTemplate(name: string): Promise<void> {
  const created = await client().templates.create({
    businessAccountId: w.wabaId,
    name,
    language: 'en_US',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Hi {{1}}, your order shipped.', example: { body_text: [['Ann']] } }],
  });
  assert.equal(created.status, 'PENDING');
  assert.equal(created.category, 'UTILITY');
  await c.control('POST', `/templates/${created.id}/status`, { status: 'APPROVED' });
}

test('every send the client offers is accepted and parses as a send response', async () => {
  const inbound = await openWindow(c, w);
  const wa = client();
  const to = `+${w.customer}`;
  const base = { phoneNumberId: w.phoneId, to };

  const uploaded = await wa.media.upload({
    phoneNumberId: w.phoneId,
    type: 'image/png',
    file: new Blob([Buffer.from('89504e470d0a1a0a', 'hex')], { type: 'image/png' }),
    fileName: 'pixel.png',
  });
  assert.match(uploaded.id, /^\d+$/);

  await approvedTemplate('order_shipped');

  const sends = {
    text: await wa.messages.sendText({ ...base, body: 'Olá, Zoë! 👋' }),
    imageByLink: await wa.messages.sendImage({
      ...base,
      image: { link: 'https://example.com/a.jpg', caption: 'look' },
    }),
    imageById: await wa.messages.sendImage({ ...base, image: { id: uploaded.id } }),
    template: await wa.messages.sendTemplate({
      ...base,
      // Meta-style components, as the client's README shows for raw template payloads.
      template: {
        name: 'order_shipped',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ann' }] }],
      },
    }),
    buttons: await wa.messages.sendInteractiveButtons({
      ...base,
      bodyText: 'Pick an option',
      footerText: 'Footer',
      buttons: [
        { id: 'accept', title: 'Accept' },
        { id: 'decline', title: 'Decline' },
      ],
    }),
    list: await wa.messages.sendInteractiveList({
      ...base,
      bodyText: 'Choose a slot',
      buttonText: 'Slots',
      sections: [
        {
          title: 'Today',
          rows: [
            { id: 'am', title: 'Morning', description: '9-12' },
            { id: 'pm', title: 'Afternoon' },
          ],
        },
      ],
    }),
    reaction: await wa.messages.sendReaction({
      ...base,
      reaction: { messageId: inbound.id, emoji: '👍' },
    }),
  };
  for (const [kind, res] of Object.entries(sends)) {
    assert.equal(res.messagingProduct, 'whatsapp', kind);
    assert.deepEqual(res.contacts, [{ input: to, waId: w.customer }], kind);
    assert.equal(res.messages.length, 1, kind);
    assert.match(res.messages[0]?.id ?? '', /^wamid\./, kind);
  }
  assert.equal(sends.template.messages[0]?.messageStatus, 'accepted');

  const read = await wa.messages.markRead({
    phoneNumberId: w.phoneId,
    messageId: inbound.id,
    typingIndicator: { type: 'text' },
  });
  assert.deepEqual(read, { success: true });

  // What the client sent arrived at the customer as Meta would deliver it.
  const got = await c.control('GET', `/customers/${w.customer}/messages`);
  const types = (got.received as { type: string }[]).map((m) => m.type).sort();
  assert.deepEqual(types, ['image', 'image', 'interactive', 'interactive', 'reaction', 'template', 'text']);
});

test('media: upload, metadata, authenticated download and delete', async () => {
  const wa = client();
  const bytes = Buffer.from('ffd8ffe000104a464946000101ffd9', 'hex');
  const { id } = await wa.media.upload({
    phoneNumberId: w.phoneId,
    type: 'image/jpeg',
    file: new Blob([bytes], { type: 'image/jpeg' }),
    fileName: 'photo.jpg',
  });
  const meta = await wa.media.get({ mediaId: id, phoneNumberId: w.phoneId });
  assert.equal(meta.messagingProduct, 'whatsapp');
  assert.equal(meta.id, id);
  assert.equal(meta.mimeType, 'image/jpeg');
  assert.match(meta.sha256, /^[0-9a-f]{64}$/);
  assert.equal(Number(meta.fileSize), bytes.length);
  assert.ok(meta.url.startsWith(`${baseUrl}/whatsapp_business/attachments/?`), meta.url);
  // Meta's media URLs need the bearer token, so the client is told to send it.
  const downloaded = await wa.media.download({ mediaId: id, auth: 'always' });
  assert.deepEqual(Buffer.from(downloaded as ArrayBuffer), bytes);
  assert.deepEqual(await wa.media.delete({ mediaId: id }), { success: true });
  await assert.rejects(wa.media.get({ mediaId: id }), (e: unknown) => {
    assert.ok(e instanceof GraphApiError);
    assert.equal(e.code, 100);
    assert.equal(e.errorSubcode, 33);
    return true;
  });
});

test('templates: create, list with a status filter and paging, delete', async () => {
  const wa = client();
  await approvedTemplate('first_notice');
  await approvedTemplate('second_notice');
  const page = await wa.templates.list({ businessAccountId: w.wabaId, status: 'APPROVED', limit: 1 });
  assert.equal(page.data.length, 1);
  assert.equal(page.data[0]?.status, 'APPROVED');
  assert.equal(page.data[0]?.category, 'UTILITY');
  assert.ok(page.paging.cursors.after);
  assert.ok(page.paging.next, 'a next link while more templates remain');
  const rest = await wa.templates.list({
    businessAccountId: w.wabaId,
    limit: 1,
    after: page.paging.cursors.after ?? undefined,
  });
  assert.notEqual(rest.data[0]?.id, page.data[0]?.id);
  assert.deepEqual(await wa.templates.delete({ businessAccountId: w.wabaId, name: 'first_notice' }), {
    success: true,
  });
  const left = await wa.templates.list({ businessAccountId: w.wabaId });
  assert.deepEqual(
    left.data.map((t) => t.name),
    ['second_notice'],
  );
});

test('phone numbers: register through the client (it has no list call)', async () => {
  const number = await c.control('POST', '/phone-numbers', { waba_id: w.wabaId, registered: false });
  const res = await client().phoneNumbers.register({ phoneNumberId: number.id, pin: '123456' });
  assert.deepEqual(res, { success: true });
});

test("Meta's error envelope becomes the client's GraphApiError with code, subcode and details", async () => {
  const wa = client();
  await assert.rejects(
    wa.messages.sendText({ phoneNumberId: w.phoneId, to: `+${w.customer}`, body: 'x'.repeat(4097) }),
    (e: unknown) => {
      assert.ok(e instanceof GraphApiError);
      assert.equal(e.httpStatus, 400);
      assert.equal(e.code, 100);
      assert.equal(e.type, 'OAuthException');
      assert.ok(e.details, 'error_data.details read');
      assert.ok(e.fbtraceId);
      return true;
    },
  );
  await c.control('POST', '/faults', { kind: 'send-error', code: 131056, subcode: 2494055 });
  await assert.rejects(
    wa.messages.sendText({ phoneNumberId: w.phoneId, to: `+${w.customer}`, body: 'again' }),
    (e: unknown) => {
      assert.ok(e instanceof GraphApiError);
      assert.equal(e.code, 131056);
      assert.equal(e.errorSubcode, 2494055);
      assert.equal(e.isRateLimit(), true, `category ${e.category}`);
      return true;
    },
  );
  await assert.rejects(
    client('not-a-token').messages.sendText({ phoneNumberId: w.phoneId, to: `+${w.customer}`, body: 'hi' }),
    (e: unknown) => {
      assert.ok(e instanceof GraphApiError);
      assert.equal(e.code, 190);
      assert.equal(e.isAuthError(), true, `category ${e.category}`);
      return true;
    },
  );
});

test("the client's webhook helpers verify and normalise the simulator's webhooks", async () => {
  await c.control('POST', `/customers/${w.customer}/send`, {
    phone_number_id: w.phoneId,
    type: 'text',
    text: { body: 'Olá — café? ☕' },
  });
  const sent = await client().messages.sendText({
    phoneNumberId: w.phoneId,
    to: `+${w.customer}`,
    body: 'Sim!',
  });
  const wamid = sent.messages[0]?.id;
  await waitFor(
    () => rx.statuses().some((s) => s.id === wamid && s.status === 'read'),
    'read status for the reply',
  );
  const messages = [];
  const statuses = [];
  for (const r of rx.received) {
    const header = r.headers['x-hub-signature-256'];
    assert.equal(typeof header, 'string');
    assert.equal(
      verifySignature({ appSecret: w.secret, rawBody: r.raw, signatureHeader: header as string }),
      true,
    );
    // A wrong secret or a re-serialised body must not verify.
    assert.equal(
      verifySignature({ appSecret: 'wrong', rawBody: r.raw, signatureHeader: header as string }),
      false,
    );
    const normalized = normalizeWebhook(JSON.parse(r.raw.toString('utf8')));
    assert.equal(normalized.object, 'whatsapp_business_account');
    assert.equal(normalized.phoneNumberId, w.phoneId);
    messages.push(...normalized.messages);
    statuses.push(...normalized.statuses);
  }
  const inbound = messages.find((m) => m.type === 'text' && m.from === w.customer);
  assert.equal(inbound?.text?.body, 'Olá — café? ☕');
  const mine = statuses.filter((s) => s.id === wamid);
  assert.deepEqual(
    mine.map((s) => s.status),
    ['sent', 'delivered', 'read'],
  );
  for (const s of mine) {
    assert.equal(s.recipientId, w.customer);
    assert.match(String(s.timestamp), /^\d{10}$/);
  }
  // Pricing on sent and on one of delivered/read, as Meta documents.
  assert.deepEqual(
    mine.map((s) => (s.pricing as { pricingModel?: string } | undefined)?.pricingModel),
    ['PMP', 'PMP', undefined],
  );
});
