import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Client, text, useSimulator, V, type World } from './helpers.js';

/**
 * Meta's error envelope, key order included. Meta's error-codes reference writes it as
 * `{"error":{"message","type","code","error_data":{"messaging_product","details"},"error_subcode","fbtrace_id"}}`
 * and recorded bodies keep that order; a client that logs or hashes the raw body sees the difference.
 */

let c: Client;
let w: World;
useSimulator((s) => {
  ({ c, w } = s);
});

/** The raw response: status and body text exactly as sent. */
async function raw(
  path: string,
  token: string | undefined,
  body: unknown,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${c.base}/${V}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

const send = (body: unknown, token: string = w.token) => raw(`/${w.phoneId}/messages`, token, body);

/** fbtrace_id is random: check its form, then pin it so the rest compares byte for byte. */
function pinTrace(body: string): string {
  const m = /"fbtrace_id":"([A-Za-z0-9_-]+)"/.exec(body);
  assert.ok(m, `fbtrace_id in ${body}`);
  return body.replace(m[0], '"fbtrace_id":"TRACE"');
}

const CLOUD_KEYS = ['message', 'type', 'code', 'error_data', 'fbtrace_id'];

async function approvedTemplate(name: string): Promise<void> {
  const r = await c.graph('POST', `/${w.wabaId}/message_templates`, w.token, {
    name,
    language: 'en_US',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Hi {{1}}', example: { body_text: [['Ann']] } }],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await c.control('POST', `/templates/${r.body.id}/status`, { status: 'APPROVED' });
}

const template = (name: string, parameters: unknown[]) => ({
  messaging_product: 'whatsapp',
  to: `+${w.customer}`,
  type: 'template',
  template: { name, language: { code: 'en_US' }, components: [{ type: 'body', parameters }] },
});

test('131056 byte for byte: error_data before error_subcode, fbtrace_id last', async () => {
  await c.control('PATCH', '/config', { pairRate: { burst: 1 } });
  assert.equal((await send(text(w, 'first'))).status, 200);
  const r = await send(text(w, 'second'));
  assert.equal(r.status, 400);
  assert.equal(
    pinTrace(r.text),
    '{"error":{"message":"(#131056) (Business Account, Consumer Account) pair rate limit hit",' +
      '"type":"OAuthException","code":131056,"error_data":{"messaging_product":"whatsapp",' +
      '"details":"Too many messages sent from this phone number to the same recipient in a short period of time."},' +
      '"error_subcode":2494055,"fbtrace_id":"TRACE"}}',
  );
});

test('190 byte for byte: a Graph-level error has no error_data', async () => {
  const r = await send(text(w, 'hi'), 'not-a-token');
  assert.equal(r.status, 401);
  assert.equal(
    pinTrace(r.text),
    '{"error":{"message":"Invalid OAuth access token - Cannot parse access token","type":"OAuthException",' +
      '"code":190,"fbtrace_id":"TRACE"}}',
  );
});

test("Cloud API codes keep Meta's key order, titles and JSON types", async () => {
  await approvedTemplate('greeting');
  const expectations: [string, () => Promise<{ status: number; text: string }>, number, string][] = [
    ['text too long', () => send(text(w, 'x'.repeat(4097))), 100, '(#100) Invalid parameter'],
    [
      'text without body',
      () => send({ messaging_product: 'whatsapp', to: `+${w.customer}`, type: 'text', text: {} }),
      131008,
      '(#131008) Required parameter is missing',
    ],
    [
      'id and link together',
      () =>
        send({
          messaging_product: 'whatsapp',
          to: `+${w.customer}`,
          type: 'video',
          video: { id: '1', link: 'https://example.com/v.mp4' },
        }),
      131009,
      '(#131009) Parameter value is not valid',
    ],
    [
      'too few template parameters',
      () => send(template('greeting', [])),
      132000,
      '(#132000) Number of parameters does not match the expected number of params',
    ],
    [
      'unknown template',
      () => send(template('nope', [{ type: 'text', text: 'Ann' }])),
      132001,
      '(#132001) Template name does not exist in the translation',
    ],
  ];
  for (const [what, call, code, message] of expectations) {
    const r = await call();
    assert.equal(r.status, 400, `${what}: ${r.text}`);
    const { error } = JSON.parse(r.text);
    assert.deepEqual(Object.keys(error), CLOUD_KEYS, what);
    assert.deepEqual(Object.keys(error.error_data), ['messaging_product', 'details'], what);
    assert.equal(error.message, message, what);
    assert.equal(error.type, 'OAuthException', what);
    assert.equal(error.code, code, what);
    assert.equal(error.error_data.messaging_product, 'whatsapp', what);
    assert.equal(typeof error.error_data.details, 'string', what);
    assert.match(error.fbtrace_id, /^[A-Za-z0-9_-]{11}$/, what);
  }
});

test('130429 when the number is over its throughput', async () => {
  await c.control('PATCH', `/phone-numbers/${w.phoneId}`, { throughput_per_second: 1 });
  assert.equal((await send(text(w, 'one'))).status, 200);
  const r = await send(text(w, 'two'));
  assert.equal(r.status, 400);
  const { error } = JSON.parse(r.text);
  assert.deepEqual(Object.keys(error), CLOUD_KEYS);
  assert.equal(error.message, '(#130429) Rate limit hit');
  assert.equal(error.code, 130429);
  assert.match(error.error_data.details, /throughput/);
});

test('an injected code without details gets the text Meta documents for it', async () => {
  await c.control('POST', '/faults', { kind: 'send-error', code: 130429 });
  const r = await send(text(w, 'hi'));
  assert.equal(
    pinTrace(r.text),
    '{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,' +
      '"error_data":{"messaging_product":"whatsapp","details":"Cloud API message throughput has been reached."},' +
      '"fbtrace_id":"TRACE"}}',
  );
});
