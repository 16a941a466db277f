import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { GraphClient } from '../src/index.js';
import { json, startGraphTestServer } from './graph-test-server.js';

const TOKEN = 'EAAGtenantTokenXYZ123';
let server: Awaited<ReturnType<typeof startGraphTestServer>>;
let client: GraphClient;

before(async () => {
  server = await startGraphTestServer();
  client = new GraphClient({ baseUrl: `${server.baseUrl}/`, version: 'v23.0', timeoutMs: 2000 });
});
after(() => server.close());

function bodyJson(body: Buffer): unknown {
  return JSON.parse(body.toString('utf8'));
}

function assertBearer(headers: Record<string, unknown>) {
  assert.equal(headers.authorization, `Bearer ${TOKEN}`);
}

test('exchangeCode sends client id, secret and code as query parameters', async () => {
  server.reply(json(200, { access_token: 'EAAGnewBusinessToken', token_type: 'bearer' }));
  const result = await client.exchangeCode({ clientId: '1234', clientSecret: 's3cret-app', code: 'AQDcode' });
  assert.deepEqual(result, { access_token: 'EAAGnewBusinessToken', token_type: 'bearer' });
  const req = server.take();
  assert.equal(req.method, 'GET');
  assert.equal(req.path, '/v23.0/oauth/access_token');
  assert.deepEqual(Object.fromEntries(req.query), {
    client_id: '1234',
    client_secret: 's3cret-app',
    code: 'AQDcode',
  });
  assert.equal(req.headers.authorization, undefined);
});

test('debugToken uses the app token and returns granular scopes', async () => {
  server.reply(
    json(200, {
      data: {
        app_id: '1234',
        type: 'SYSTEM_USER',
        application: 'OpenWABA',
        is_valid: true,
        expires_at: 0,
        scopes: ['whatsapp_business_management', 'whatsapp_business_messaging'],
        granular_scopes: [
          { scope: 'whatsapp_business_management', target_ids: ['102290129340398'] },
          { scope: 'whatsapp_business_messaging', target_ids: ['102290129340398'] },
        ],
      },
    }),
  );
  const data = await client.debugToken({ inputToken: TOKEN, appId: '1234', appSecret: 's3cret-app' });
  assert.equal(data.is_valid, true);
  assert.deepEqual(data.granular_scopes?.[0]?.target_ids, ['102290129340398']);
  const req = server.take();
  assert.equal(req.path, '/v23.0/debug_token');
  assert.deepEqual(Object.fromEntries(req.query), { input_token: TOKEN, access_token: '1234|s3cret-app' });
});

test('subscribeApp, listSubscribedApps and unsubscribeApp hit /{waba}/subscribed_apps', async () => {
  server.reply(
    json(200, { success: true }),
    json(200, { data: [{ whatsapp_business_api_data: { id: '1234', name: 'OpenWABA' } }] }),
    json(200, { success: true }),
  );
  await client.subscribeApp({ accessToken: TOKEN, wabaId: '102290129340398' });
  const apps = await client.listSubscribedApps({ accessToken: TOKEN, wabaId: '102290129340398' });
  await client.unsubscribeApp({ accessToken: TOKEN, wabaId: '102290129340398' });
  assert.equal(apps.data[0]?.whatsapp_business_api_data?.id, '1234');
  const [sub, list, unsub] = [server.take(), server.take(), server.take()];
  assert.deepEqual(
    [sub.method, sub.path, list.method, list.path, unsub.method, unsub.path],
    [
      'POST',
      '/v23.0/102290129340398/subscribed_apps',
      'GET',
      '/v23.0/102290129340398/subscribed_apps',
      'DELETE',
      '/v23.0/102290129340398/subscribed_apps',
    ],
  );
  for (const req of [sub, list, unsub]) assertBearer(req.headers);
  assert.equal(sub.body.length, 0);
});

test('registerPhone posts the pin', async () => {
  server.reply(json(200, { success: true }));
  await client.registerPhone({ accessToken: TOKEN, phoneNumberId: '106540352242922', pin: '123456' });
  const req = server.take();
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/v23.0/106540352242922/register');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.deepEqual(bodyJson(req.body), { messaging_product: 'whatsapp', pin: '123456' });
});

test('listPhoneNumbers asks for fields and follows cursor paging', async () => {
  const number = {
    id: '106540352242922',
    display_phone_number: '+1 555-078-3881',
    verified_name: 'Lucky Shrub',
    quality_rating: 'GREEN',
    code_verification_status: 'VERIFIED',
    name_status: 'APPROVED',
    platform_type: 'CLOUD_API',
    status: 'CONNECTED',
    throughput: { level: 'STANDARD' },
    whatsapp_business_manager_messaging_limit: 'TIER_2K',
  };
  server.reply(
    json(200, {
      data: [number],
      paging: { cursors: { before: 'QVFIa', after: 'QVFIb' }, next: 'https://x/next' },
    }),
    json(200, {
      data: [{ ...number, id: '106540352242999' }],
      paging: { cursors: { before: 'QVFIc', after: 'QVFId' } },
    }),
  );
  const first = await client.listPhoneNumbers({ accessToken: TOKEN, wabaId: '102290129340398', limit: 1 });
  assert.equal(first.nextCursor, 'QVFIb');
  assert.equal(first.data[0]?.whatsapp_business_manager_messaging_limit, 'TIER_2K');
  const second = await client.listPhoneNumbers({
    accessToken: TOKEN,
    wabaId: '102290129340398',
    after: 'QVFIb',
  });
  assert.equal(second.nextCursor, undefined, 'no next link means the last page');
  const req1 = server.take();
  const req2 = server.take();
  assert.equal(req1.path, '/v23.0/102290129340398/phone_numbers');
  assert.match(req1.query.get('fields') ?? '', /^id,display_phone_number,verified_name,quality_rating,/);
  assert.equal(req1.query.get('limit'), '1');
  assert.equal(req2.query.get('after'), 'QVFIb');
});

test('getPhoneNumber passes the requested fields', async () => {
  server.reply(json(200, { id: '106540352242922', quality_rating: 'YELLOW' }));
  const phone = await client.getPhoneNumber({
    accessToken: TOKEN,
    phoneNumberId: '106540352242922',
    fields: ['quality_rating'],
  });
  assert.equal(phone.quality_rating, 'YELLOW');
  const req = server.take();
  assert.equal(req.path, '/v23.0/106540352242922');
  assert.equal(req.query.get('fields'), 'quality_rating');
});

test('sendMessage normalises the number to E.164 with + and sends the exact body', async () => {
  server.reply(
    json(200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: '+16505551234', wa_id: '16505551234' }],
      messages: [
        { id: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA', message_status: 'accepted' },
      ],
    }),
  );
  const sent = await client.sendMessage({
    accessToken: TOKEN,
    phoneNumberId: '106540352242922',
    message: {
      to: '1 650-555 1234',
      type: 'text',
      text: { body: 'Hello', preview_url: false },
      context: { message_id: 'wamid.quoted' },
    },
  });
  assert.equal(sent.messages[0]?.message_status, 'accepted');
  const req = server.take();
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/v23.0/106540352242922/messages');
  assertBearer(req.headers);
  assert.deepEqual(bodyJson(req.body), {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: '+16505551234',
    type: 'text',
    text: { body: 'Hello', preview_url: false },
    context: { message_id: 'wamid.quoted' },
  });
});

test('sendMessage addresses a BSUID with recipient instead of to', async () => {
  server.reply(
    json(200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: 'US.13491208655302741918', user_id: 'US.13491208655302741918' }],
      messages: [{ id: 'wamid.B' }],
    }),
  );
  const sent = await client.sendMessage({
    accessToken: TOKEN,
    phoneNumberId: '106540352242922',
    message: {
      recipient: 'US.13491208655302741918',
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          { type: 'body', parameters: [{ type: 'text', parameter_name: 'order_id', text: 'A-42' }] },
          {
            type: 'button',
            sub_type: 'quick_reply',
            index: '0',
            parameters: [{ type: 'payload', payload: 'TRACK' }],
          },
        ],
      },
    },
  });
  assert.equal(sent.contacts?.[0]?.user_id, 'US.13491208655302741918');
  const body = bodyJson(server.take().body) as Record<string, unknown>;
  assert.equal(body.recipient, 'US.13491208655302741918');
  assert.equal('to' in body, false);
  assert.deepEqual((body.template as { components: unknown[] }).components.length, 2);
});

test('sendMessage rejects a malformed number before calling Meta', async () => {
  await assert.rejects(
    client.sendMessage({
      accessToken: TOKEN,
      phoneNumberId: '106540352242922',
      message: { to: 'call me', type: 'text', text: { body: 'x' } },
    }),
    RangeError,
  );
  assert.equal(server.requests.length, 0);
});

test('markRead sends status read, with the typing indicator when asked', async () => {
  server.reply(json(200, { success: true }), json(200, { success: true }));
  await client.markRead({ accessToken: TOKEN, phoneNumberId: '106540352242922', messageId: 'wamid.IN1' });
  await client.markRead({
    accessToken: TOKEN,
    phoneNumberId: '106540352242922',
    messageId: 'wamid.IN2',
    typingIndicator: true,
  });
  assert.deepEqual(bodyJson(server.take().body), {
    messaging_product: 'whatsapp',
    status: 'read',
    message_id: 'wamid.IN1',
  });
  assert.deepEqual(bodyJson(server.take().body), {
    messaging_product: 'whatsapp',
    status: 'read',
    message_id: 'wamid.IN2',
    typing_indicator: { type: 'text' },
  });
});

test('createTemplate, listTemplates and deleteTemplate use /{waba}/message_templates', async () => {
  server.reply(
    json(200, { id: '1689556908129832', status: 'PENDING', category: 'UTILITY' }),
    json(200, {
      data: [
        {
          id: '1689556908129832',
          name: 'order_update',
          language: 'en_US',
          status: 'APPROVED',
          category: 'UTILITY',
          components: [{ type: 'BODY', text: 'Order {{1}}' }],
        },
      ],
      paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' }, next: 'https://graph.facebook.com/next' },
    }),
    json(200, { success: true }),
  );
  const template = {
    name: 'order_update',
    language: 'en_US',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Order {{1}} shipped', example: { body_text: [['A-42']] } }],
  };
  const created = await client.createTemplate({ accessToken: TOKEN, wabaId: '102290129340398', template });
  assert.deepEqual(created, { id: '1689556908129832', status: 'PENDING', category: 'UTILITY' });
  const page = await client.listTemplates({
    accessToken: TOKEN,
    wabaId: '102290129340398',
    status: 'APPROVED',
    limit: 50,
    after: 'MAZDZD',
  });
  assert.equal(page.data[0]?.status, 'APPROVED');
  assert.equal(page.nextCursor, 'MjQZD');
  await client.deleteTemplate({
    accessToken: TOKEN,
    wabaId: '102290129340398',
    name: 'order_update',
    hsmId: '1689556908129832',
  });

  const [create, list, del] = [server.take(), server.take(), server.take()];
  assert.equal(create.method, 'POST');
  assert.equal(create.path, '/v23.0/102290129340398/message_templates');
  assert.deepEqual(bodyJson(create.body), template);
  assert.equal(list.method, 'GET');
  assert.equal(list.query.get('status'), 'APPROVED');
  assert.equal(list.query.get('limit'), '50');
  assert.equal(list.query.get('after'), 'MAZDZD');
  assert.equal(del.method, 'DELETE');
  assert.deepEqual(Object.fromEntries(del.query), { name: 'order_update', hsm_id: '1689556908129832' });
});

test('uploadMedia sends multipart with messaging_product and file', async () => {
  server.reply(json(200, { id: '1003383421387256' }));
  const bytes = new TextEncoder().encode('%PDF-1.4 fake');
  const uploaded = await client.uploadMedia({
    accessToken: TOKEN,
    phoneNumberId: '106540352242922',
    data: bytes,
    mimeType: 'application/pdf',
    filename: 'invoice.pdf',
  });
  assert.equal(uploaded.id, '1003383421387256');
  const req = server.take();
  assert.equal(req.path, '/v23.0/106540352242922/media');
  assertBearer(req.headers);
  const contentType = String(req.headers['content-type']);
  assert.match(contentType, /^multipart\/form-data; boundary=/);
  const form = await new Response(req.body, { headers: { 'content-type': contentType } }).formData();
  assert.equal(form.get('messaging_product'), 'whatsapp');
  const file = form.get('file');
  assert.ok(file instanceof Blob);
  assert.equal((file as File).name, 'invoice.pdf');
  assert.equal(file.type, 'application/pdf');
  assert.equal(await file.text(), '%PDF-1.4 fake');
});

test('getMedia, downloadMedia (bearer on the returned URL) and deleteMedia', async () => {
  const mediaUrl = `${server.baseUrl}/media-cdn/whatsapp_business/attachments/?mid=1003383421387256&ext=1&hash=ATv`;
  server.reply(
    json(200, {
      messaging_product: 'whatsapp',
      url: mediaUrl,
      mime_type: 'image/jpeg',
      sha256: 'KlyH8g3ZQ9Nlp4aGzSfjfMxVZhnRKOGNM0OPgG/nBmE=',
      file_size: 303833,
      id: '1003383421387256',
    }),
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
    },
    json(200, { success: true }),
  );
  const media = await client.getMedia({ accessToken: TOKEN, mediaId: '1003383421387256' });
  assert.equal(media.file_size, 303833);
  const file = await client.downloadMedia({ accessToken: TOKEN, url: media.url });
  assert.deepEqual([...file.data], [0xff, 0xd8, 0xff, 0xe0]);
  assert.equal(file.contentType, 'image/jpeg');
  await client.deleteMedia({
    accessToken: TOKEN,
    mediaId: '1003383421387256',
    phoneNumberId: '106540352242922',
  });

  const [get, download, del] = [server.take(), server.take(), server.take()];
  assert.equal(get.path, '/v23.0/1003383421387256');
  assert.equal(download.path, '/media-cdn/whatsapp_business/attachments/');
  assert.equal(download.query.get('mid'), '1003383421387256');
  assertBearer(download.headers);
  assert.equal(del.method, 'DELETE');
  assert.equal(del.path, '/v23.0/1003383421387256');
  assert.equal(del.query.get('phone_number_id'), '106540352242922');
});

test('appsecret_proof is added when the client has the app secret', async () => {
  const proofClient = new GraphClient({
    baseUrl: server.baseUrl,
    version: 'v24.0',
    appSecret: 'app-secret-1',
  });
  server.reply(json(200, { id: '106540352242922' }));
  await proofClient.getPhoneNumber({ accessToken: TOKEN, phoneNumberId: '106540352242922' });
  const req = server.take();
  assert.equal(req.path, '/v24.0/106540352242922');
  assert.equal(
    req.query.get('appsecret_proof'),
    createHmac('sha256', 'app-secret-1').update(TOKEN).digest('hex'),
  );
});

test('ids are encoded as one path segment', async () => {
  server.reply(json(200, { id: 'a/b' }));
  await client.getPhoneNumber({ accessToken: TOKEN, phoneNumberId: 'a/b' });
  assert.equal(server.take().path, '/v23.0/a%2Fb');
  await assert.rejects(client.getPhoneNumber({ accessToken: TOKEN, phoneNumberId: '' }), TypeError);
});
