import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { type Client, type Receiver, useSimulator, V, type World, waitFor } from './helpers.js';

let c: Client;
let rx: Receiver;
let w: World;
useSimulator((s) => {
  ({ c, rx, w } = s);
});

function form(bytes: Buffer, type: string, name = 'file.bin', product = 'whatsapp'): FormData {
  const f = new FormData();
  f.set('messaging_product', product);
  f.set('file', new Blob([bytes], { type }), name);
  return f;
}

const upload = (f: FormData) => c.call('POST', `/${V}/${w.phoneId}/media`, { token: w.token, form: f });

async function download(
  url: string,
  token?: string,
): Promise<{ status: number; bytes: Buffer; type: string | null }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return {
    status: res.status,
    bytes: Buffer.from(await res.arrayBuffer()),
    type: res.headers.get('content-type'),
  };
}

test('media round trip: upload → GET url → download with bearer → delete', async () => {
  const bytes = Buffer.from('%PDF-1.4 simulated invoice ✓', 'utf8');
  const up = await upload(form(bytes, 'application/pdf', 'invoice.pdf'));
  assert.equal(up.status, 200, JSON.stringify(up.body));
  assert.match(up.body.id, /^\d+$/);
  const info = await c.graph('GET', `/${up.body.id}`, w.token);
  assert.equal(info.status, 200);
  assert.equal(info.body.messaging_product, 'whatsapp');
  assert.equal(info.body.mime_type, 'application/pdf');
  assert.equal(info.body.file_size, bytes.length);
  assert.equal(info.body.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.equal(info.body.id, up.body.id);

  const got = await download(info.body.url, w.token);
  assert.equal(got.status, 200);
  assert.equal(got.type, 'application/pdf');
  assert.deepEqual(got.bytes, bytes);

  const anonymous = await download(info.body.url);
  assert.equal(anonymous.status, 401);
  const tampered = await download(info.body.url.replace(/hash=[^&]+/, 'hash=forged'), w.token);
  assert.equal(tampered.status, 404);

  await c.control('POST', '/clock/advance', { seconds: 301 });
  assert.equal((await download(info.body.url, w.token)).status, 404, 'the URL expired after 5 minutes');
  const fresh = await c.graph('GET', `/${up.body.id}`, w.token);
  assert.equal((await download(fresh.body.url, w.token)).status, 200, 'a new GET gives a new URL');

  const del = await c.graph('DELETE', `/${up.body.id}`, w.token);
  assert.deepEqual(del.body, { success: true });
  const gone = await c.graph('GET', `/${up.body.id}`, w.token);
  assert.equal(gone.body.error.code, 100);
  assert.equal(gone.body.error.error_subcode, 33);
});

test('upload checks type, size and messaging_product', async () => {
  const exe = await upload(form(Buffer.from('MZ'), 'application/x-msdownload'));
  assert.equal(exe.status, 400);
  assert.equal(exe.body.error.code, 100);
  assert.match(exe.body.error.message, /Received file of type 'application\/x-msdownload'\.$/);
  const big = await upload(form(Buffer.alloc((5 << 20) + 1), 'image/jpeg'));
  assert.equal(big.body.error.code, 131053);
  assert.match(big.body.error.error_data.details, /allows/);
  const noProduct = await upload(form(Buffer.from('x'), 'image/jpeg', 'a.jpg', 'sms'));
  assert.equal(noProduct.body.error.code, 100);
  const json = await c.graph('POST', `/${w.phoneId}/media`, w.token, { messaging_product: 'whatsapp' });
  assert.equal(json.body.error.code, 100);
});

test("the file part's Content-Type is what counts; `type` neither overrides nor rescues it", async () => {
  // A PNG whose `type` field says JPEG: stored and served as what the file part says.
  const png = Buffer.from('89504e470d0a1a0a', 'hex');
  const f = form(png, 'image/png', 'pixel.png');
  f.set('type', 'image/jpeg');
  const up = await upload(f);
  assert.equal(up.status, 200, JSON.stringify(up.body));
  const info = await c.graph('GET', `/${up.body.id}`, w.token);
  assert.equal(info.body.mime_type, 'image/png');
  assert.equal((await download(info.body.url, w.token)).type, 'image/png');

  // Parameters of the part's type are dropped (`audio/ogg; codecs=opus` is stored as `audio/ogg`).
  const ogg = await upload(form(Buffer.from('OggS'), 'audio/ogg; codecs=opus', 'voice.ogg'));
  assert.equal(ogg.status, 200, JSON.stringify(ogg.body));
  assert.equal((await c.graph('GET', `/${ogg.body.id}`, w.token)).body.mime_type, 'audio/ogg');

  // An untyped file part with `type=image/png` is refused the way Meta refuses it, naming the part's type.
  const untyped = form(png, 'application/octet-stream', 'pixel.png');
  untyped.set('type', 'image/png');
  const refused = await upload(untyped);
  assert.equal(refused.status, 400);
  assert.deepEqual(Object.keys(refused.body.error), ['message', 'type', 'code', 'fbtrace_id']);
  assert.equal(refused.body.error.type, 'OAuthException');
  assert.equal(refused.body.error.code, 100);
  assert.equal(
    refused.body.error.message,
    '(#100) Param file must be a file with one of the following types: audio/aac, audio/mp4, audio/mpeg, ' +
      'audio/amr, audio/ogg, audio/opus, application/vnd.ms-powerpoint, application/msword, ' +
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document, ' +
      'application/vnd.openxmlformats-officedocument.presentationml.presentation, ' +
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/pdf, text/plain, ' +
      "application/vnd.ms-excel, image/jpeg, image/png, image/webp, video/mp4, video/3gpp. Received file of type 'application/octet-stream'.",
  );
});

test('messaging_product may come in the query string with only `file` in the form (whatsapp-api-js)', async () => {
  const f = new FormData();
  f.set('file', new Blob([Buffer.from('hello')], { type: 'text/plain' }), 'note.txt');
  const up = await c.call('POST', `/${V}/${w.phoneId}/media?messaging_product=whatsapp`, {
    token: w.token,
    form: f,
  });
  assert.equal(up.status, 200, JSON.stringify(up.body));
  const info = await c.graph('GET', `/${up.body.id}`, w.token);
  assert.equal(info.body.mime_type, 'text/plain');
});

test('media a customer sends can be fetched and downloaded by the business', async () => {
  const data = Buffer.from('fake-jpeg-bytes');
  await c.control('POST', `/customers/${w.customer}/send`, {
    phone_number_id: w.phoneId,
    type: 'image',
    image: { caption: 'my receipt', data_base64: data.toString('base64'), mime_type: 'image/jpeg' },
  });
  const message = await waitFor(() => rx.messages()[0], 'inbound image');
  const image = message.image as { id: string; sha256: string; mime_type: string; caption: string };
  assert.equal(image.caption, 'my receipt');
  assert.equal(image.mime_type, 'image/jpeg');
  const info = await c.graph('GET', `/${image.id}`, w.token);
  // The same hash, hex in the media node and base64 in the webhook.
  assert.equal(Buffer.from(info.body.sha256, 'hex').toString('base64'), image.sha256);
  const got = await download(info.body.url, w.token);
  assert.deepEqual(got.bytes, data);
});
