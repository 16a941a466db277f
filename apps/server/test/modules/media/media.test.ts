import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { mediaHeaders } from '../../../src/modules/media/media.routes.js';
import { messages } from '../../../src/modules/messages/messages.tables.js';
import { type AccessFixture, createAccessFixture } from '../../helpers/access.js';
import { json } from '../../helpers/app.js';
import {
  createSendWorld,
  createTenant,
  customerInbox,
  customerWithOpenWindow,
  eventually,
  type SendWorld,
  settled,
  type Tenant,
} from '../messages/send-world.js';
import { multipartFile, PNG } from './fixtures.js';

let sw: SendWorld;
let fx: AccessFixture;
let tenant: Tenant;
let customer: { waId: string; contactId: string; conversationId: string };

before(async () => {
  sw = await createSendWorld();
  fx = await createAccessFixture(sw.t);
  tenant = await createTenant(sw, { workspaceId: fx.workspaceId });
  customer = await customerWithOpenWindow(sw, tenant);
});
after(() => sw.close());

/** The customer sends a file; resolves with our message once its media is in the media store. */
async function customerSendsFile(type: string, content: Record<string, unknown>) {
  const sent = await sw.world.control<{ message: { id: string } }>(
    'POST',
    `/_sim/customers/${customer.waId}/send`,
    {
      phone_number_id: tenant.phoneNumberId,
      type,
      [type]: content,
    },
  );
  const row = await eventually(
    async () =>
      (await sw.t.platform.db.select().from(messages).where(eq(messages.wamid, sent.message.id)))[0],
    (message) => message?.media?.state === 'stored',
    20_000,
  );
  return row!;
}

const mediaUrl = (messageId: string) =>
  `/api/v1/workspaces/${tenant.workspaceId}/messages/${messageId}/media`;
const uploadUrl = () => `/api/v1/workspaces/${tenant.workspaceId}/channels/${tenant.channelId}/media`;

test("a customer's image is served inline, privately, with its own type", async () => {
  const message = await customerSendsFile('image', {
    data_base64: PNG.toString('base64'),
    mime_type: 'image/png',
    caption: 'Our cake',
  });
  const res = await sw.t.inject({ method: 'GET', url: mediaUrl(message.id), headers: tenant.headers });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.rawPayload, PNG);
  assert.equal(res.headers['content-type'], 'image/png');
  assert.match(String(res.headers['content-disposition']), /^inline;/);
  assert.match(String(res.headers['cache-control']), /^private/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.match(String(res.headers['content-security-policy']), /sandbox/);
});

test("a customer's document is an attachment that keeps its name", async () => {
  const pdf = Buffer.from('%PDF-1.4\n% invoice\n');
  const message = await customerSendsFile('document', {
    data_base64: pdf.toString('base64'),
    mime_type: 'application/pdf',
    filename: 'invoice 42.pdf',
  });
  const res = await sw.t.inject({ method: 'GET', url: mediaUrl(message.id), headers: tenant.headers });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.rawPayload, pdf);
  assert.equal(res.headers['content-type'], 'application/pdf');
  assert.equal(
    res.headers['content-disposition'],
    `attachment; filename="invoice 42.pdf"; filename*=UTF-8''invoice%2042.pdf`,
  );
});

test('file names outside ASCII survive the header; unsafe types never render in the page', () => {
  const document = mediaHeaders({
    data: PNG,
    mimeType: 'application/pdf',
    fileName: 'Rechnung März "final".pdf',
    kind: 'document',
  });
  assert.equal(
    document['content-disposition'],
    `attachment; filename="Rechnung M_rz _final_.pdf"; filename*=UTF-8''Rechnung%20M%C3%A4rz%20%22final%22.pdf`,
  );
  // An "image" that could carry script is downloaded, not shown, and a broken type is not echoed.
  const svg = mediaHeaders({ data: PNG, mimeType: 'image/svg+xml', fileName: undefined, kind: 'image' });
  assert.match(svg['content-disposition']!, /^attachment; filename="image"/);
  const odd = mediaHeaders({ data: PNG, mimeType: 'text/html\r\nx: y', fileName: undefined, kind: 'image' });
  assert.equal(odd['content-type'], 'application/octet-stream');
});

test('an Agent gets the file only of a conversation they may read', async () => {
  const message = await customerSendsFile('image', {
    data_base64: PNG.toString('base64'),
    mime_type: 'image/png',
  });
  const agent = fx.members.agent;
  // Unassigned, and this workspace does not show unassigned conversations to agents.
  const hidden = await sw.t.inject({ method: 'GET', url: mediaUrl(message.id), headers: agent.headers });
  assert.equal(hidden.statusCode, 404, hidden.body);
  assert.equal(json<{ error: { code: string } }>(hidden).error.code, 'not_found');

  const assigned = await sw.t.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${tenant.workspaceId}/conversations/${customer.conversationId}/assign`,
    headers: tenant.headers,
    payload: { assigneeId: agent.userId },
  });
  assert.equal(assigned.statusCode, 200, assigned.body);
  const shown = await sw.t.inject({ method: 'GET', url: mediaUrl(message.id), headers: agent.headers });
  assert.equal(shown.statusCode, 200, shown.body);
  assert.deepEqual(shown.rawPayload, PNG);
});

test('messages without a file, and unknown messages, are 404', async () => {
  const [text] = await sw.t.platform.db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.conversationId, customer.conversationId), eq(messages.type, 'text')));
  for (const id of [text!.id, 'msg_unknown']) {
    const res = await sw.t.inject({ method: 'GET', url: mediaUrl(id), headers: tenant.headers });
    assert.equal(res.statusCode, 404, `${id}: ${res.body}`);
  }
});

test('an uploaded image is sent by id, reaches the customer, and is served for its message', async () => {
  const form = await multipartFile(PNG, 'image/png', 'C:\\photos\\fresh.png');
  const uploaded = await sw.t.inject({
    method: 'POST',
    url: uploadUrl(),
    headers: { ...tenant.headers, ...form.headers },
    payload: form.payload,
  });
  assert.equal(uploaded.statusCode, 201, uploaded.body);
  const media = json<{ id: string; kind: string; mimeType: string; fileName: string; size: number }>(
    uploaded,
  );
  assert.deepEqual(
    { kind: media.kind, mimeType: media.mimeType, fileName: media.fileName, size: media.size },
    { kind: 'image', mimeType: 'image/png', fileName: 'fresh.png', size: PNG.length },
  );
  const audited = await sw.t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.workspaceId, tenant.workspaceId), eq(auditLog.action, 'media.uploaded')));
  const row = audited.find((entry) => entry.resourceId === media.id);
  assert.ok(row, 'the upload is in the audit trail');
  assert.equal(row.resourceType, 'media');
  assert.equal(row.actorType, 'api_key');
  assert.equal(row.requestId, uploaded.headers['x-request-id']);
  assert.ok(row.ip);
  assert.deepEqual(row.after, {
    channelId: tenant.channelId,
    kind: 'image',
    mimeType: 'image/png',
    size: PNG.length,
  });
  assert.ok(!JSON.stringify(row).includes(PNG.toString('base64')), 'never the bytes');

  const sent = await sw.t.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${tenant.workspaceId}/messages`,
    headers: tenant.headers,
    payload: {
      channelId: tenant.channelId,
      contactId: customer.contactId,
      type: 'image',
      image: { id: media.id, caption: 'Fresh from the oven' },
    },
  });
  assert.equal(sent.statusCode, 202, sent.body);
  const messageId = json<{ message: { id: string } }>(sent).message.id;
  const message = await settled(sw, messageId);
  assert.notEqual(message.status, 'failed', JSON.stringify(message.error));
  const received = await eventually(
    () => customerInbox(sw, customer.waId),
    (inbox) => inbox.some((m) => m.type === 'image'),
  );
  const image = received.find((m) => m.type === 'image')!.image as { id?: string; caption?: string };
  assert.equal(image.id, media.id);
  assert.equal(image.caption, 'Fresh from the oven');

  const file = await sw.t.inject({ method: 'GET', url: mediaUrl(messageId), headers: tenant.headers });
  assert.equal(file.statusCode, 200, file.body);
  assert.deepEqual(file.rawPayload, PNG);
  assert.equal(file.headers['content-type'], 'image/png');
});

test('uploads Meta would refuse are refused before they reach it', async () => {
  const cases: [string, { payload: Buffer; headers: Record<string, string> }, number, string][] = [
    [
      'an HTML file',
      await multipartFile(Buffer.from('<script>'), 'text/html', 'x.html'),
      415,
      'unsupported_media_type',
    ],
    [
      'an image over 5 MB',
      await multipartFile(Buffer.alloc(5 * 1024 * 1024 + 1), 'image/jpeg', 'big.jpg'),
      413,
      'payload_too_large',
    ],
    [
      'an empty file',
      await multipartFile(Buffer.alloc(0), 'application/pdf', 'empty.pdf'),
      400,
      'validation_failed',
    ],
    [
      'JSON instead of a file',
      { payload: Buffer.from('{}'), headers: { 'content-type': 'application/json' } },
      415,
      'unsupported_media_type',
    ],
  ];
  for (const [what, body, status, code] of cases) {
    const res = await sw.t.inject({
      method: 'POST',
      url: uploadUrl(),
      headers: { ...tenant.headers, ...body.headers },
      payload: body.payload,
    });
    assert.equal(res.statusCode, status, `${what}: ${res.body}`);
    assert.equal(json<{ error: { code: string } }>(res).error.code, code, what);
    const audited = await sw.t.platform.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.requestId, String(res.headers['x-request-id'])));
    assert.deepEqual(audited, [], `${what}: a refused upload is not recorded as uploaded`);
  }
});
