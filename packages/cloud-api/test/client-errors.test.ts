import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  classifyGraphError,
  GraphApiError,
  GraphClient,
  GraphError,
  GraphNetworkError,
  GraphResponseError,
} from '../src/index.js';
import { json, metaError, startGraphTestServer } from './graph-test-server.js';

const TOKEN = 'EAAGsecretTenantToken987';
const APP_SECRET = 'appSecretABCDEF0123';
const CODE = 'AQBxShortLivedCode555';
let server: Awaited<ReturnType<typeof startGraphTestServer>>;
let client: GraphClient;

before(async () => {
  server = await startGraphTestServer();
  client = new GraphClient({ baseUrl: server.baseUrl, version: 'v23.0', timeoutMs: 1_000 });
});
after(() => server.close());

const send = () =>
  client.sendMessage({
    accessToken: TOKEN,
    phoneNumberId: '106540352242922',
    message: { to: '+16505551234', type: 'text', text: { body: 'hi' } },
  });

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

function assertNoSecrets(error: unknown, secrets: string[]) {
  assert.ok(error instanceof Error);
  const views = [JSON.stringify(error), String(error), error.stack ?? '', JSON.stringify({ ...error })];
  for (const view of views) {
    for (const secret of secrets) assert.equal(view.includes(secret), false, `leaked ${secret} in ${view}`);
  }
}

test('a pair-rate error (131056 as HTTP 400) is a retryable rate_limit with all of Meta fields', async () => {
  server.reply(
    metaError(400, {
      message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
      type: 'OAuthException',
      code: 131056,
      error_subcode: 2494055,
      error_data: { messaging_product: 'whatsapp', details: 'Too many messages sent to this user' },
      fbtrace_id: 'A7mJ3bKrNcN7Q3p1dbvHkQk',
    }),
  );
  const error = await caught(send());
  assert.ok(error instanceof GraphApiError);
  assert.ok(error instanceof GraphError);
  assert.equal(error.code, 131056);
  assert.equal(error.subcode, 2494055);
  assert.equal(error.type, 'OAuthException');
  assert.equal(error.details, 'Too many messages sent to this user');
  assert.equal(error.fbtraceId, 'A7mJ3bKrNcN7Q3p1dbvHkQk');
  assert.equal(error.httpStatus, 400);
  assert.equal(error.category, 'rate_limit');
  assert.equal(error.retryable, true);
  assert.equal(error.path, '/v23.0/106540352242922/messages');
  assert.match(error.message, /131056/);
  assert.equal(JSON.parse(JSON.stringify(error)).code, 131056);
});

test('classification follows the code, not the HTTP status', async () => {
  const cases: [number, Record<string, unknown>, string, boolean][] = [
    [
      401,
      { message: 'Invalid OAuth access token', type: 'OAuthException', code: 190, error_subcode: 463 },
      'auth',
      false,
    ],
    [403, { message: '(#200) Permissions error', type: 'OAuthException', code: 200 }, 'permission', false],
    [429, { message: '(#130429) Rate limit hit', code: 130429 }, 'rate_limit', true],
    [500, { message: '(#131047) Re-engagement message', code: 131047 }, 'permanent', false],
    [400, { message: '(#131016) Service unavailable', code: 131016 }, 'transient', true],
    [400, { message: '(#132001) Template name does not exist', code: 132001 }, 'permanent', false],
    [400, { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100 }, 'permanent', false],
    [503, { message: 'An unexpected error has occurred', code: 2, is_transient: true }, 'transient', true],
  ];
  for (const [status, body, category, retryable] of cases) {
    server.reply(metaError(status, body));
    const error = await caught(send());
    assert.ok(error instanceof GraphApiError);
    assert.equal(error.category, category, `code ${body.code}`);
    assert.equal(error.retryable, retryable, `code ${body.code}`);
    assert.equal(error.httpStatus, status);
  }
});

test('classifyGraphError covers the codes CLOUD-API.md lists', () => {
  const expected: Record<string, number[]> = {
    auth: [0, 190],
    permission: [10, 200],
    rate_limit: [4, 80007, 130429, 131048, 131056],
    transient: [131016, 131057],
    permanent: [
      131047, 131026, 131049, 131050, 131051, 132000, 132012, 132015, 133016, 368, 131031, 130497, 100,
    ],
  };
  for (const [category, codes] of Object.entries(expected)) {
    for (const code of codes) assert.equal(classifyGraphError(code, 400), category, `code ${code}`);
  }
  assert.equal(classifyGraphError(131047, 503), 'permanent');
  assert.equal(classifyGraphError(undefined, 502), 'transient');
  assert.equal(classifyGraphError(undefined, 429), 'rate_limit');
  assert.equal(classifyGraphError(999999, 400), 'permanent');
});

test('a 500 without an error envelope is transient', async () => {
  server.reply((_req, res) => {
    res.writeHead(500, { 'content-type': 'text/html' });
    res.end('<html>Internal Server Error</html>');
  });
  const error = await caught(send());
  assert.ok(error instanceof GraphApiError);
  assert.equal(error.code, undefined);
  assert.equal(error.httpStatus, 500);
  assert.equal(error.category, 'transient');
  assert.equal(error.retryable, true);
});

test('a 200 with an unexpected body is a non-retryable GraphResponseError', async () => {
  server.reply(json(200, { messaging_product: 'whatsapp', messages: [] }), json(200, { success: false }));
  const error = await caught(send());
  assert.ok(error instanceof GraphResponseError);
  assert.equal(error.retryable, false);
  assert.match(error.message, /messages/);
  const failed = await caught(
    client.markRead({ accessToken: TOKEN, phoneNumberId: '1', messageId: 'wamid.X' }),
  );
  assert.ok(failed instanceof GraphResponseError);
  assert.match(failed.message, /success was false/);
});

test('a server that never answers times out as a transient GraphNetworkError', async () => {
  server.reply(() => {
    /* never answer */
  });
  const started = Date.now();
  const error = await caught(send());
  assert.ok(error instanceof GraphNetworkError);
  assert.equal(error.timedOut, true);
  assert.equal(error.category, 'transient');
  assert.equal(error.retryable, true);
  assert.ok(Date.now() - started < 2000, 'the timeout applies');
});

test('a server that sends headers and stalls the body also times out', async () => {
  server.reply((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"messaging_product":');
  });
  const error = await caught(send());
  assert.ok(error instanceof GraphNetworkError);
  assert.equal(error.timedOut, true);
});

test('a closed connection is a transient GraphNetworkError', async () => {
  server.reply((req, res) => {
    res.socket?.destroy();
    void req;
  });
  const error = await caught(send());
  assert.ok(error instanceof GraphNetworkError);
  assert.equal(error.timedOut, false);
  assert.equal(error.retryable, true);
  assert.match(error.message, /network error/);
});

test('a refused connection is a GraphNetworkError with the system code', async () => {
  const other = await startGraphTestServer();
  const deadUrl = other.baseUrl;
  await other.close();
  const dead = new GraphClient({ baseUrl: deadUrl, version: 'v23.0', timeoutMs: 1000 });
  const error = await caught(dead.exchangeCode({ clientId: '1', clientSecret: APP_SECRET, code: CODE }));
  assert.ok(error instanceof GraphNetworkError);
  assert.equal(error.errorCode, 'ECONNREFUSED');
  assertNoSecrets(error, [APP_SECRET, CODE]);
});

test('tokens, app secrets and codes never appear in errors, even when Meta echoes them', async () => {
  const echo = `token ${TOKEN} secret ${APP_SECRET} code ${CODE} url ?access_token=1234%7C${APP_SECRET}`;
  server.reply(
    metaError(400, { message: echo, type: 'OAuthException', code: 100, error_data: { details: echo } }),
    metaError(400, { message: echo, code: 190, error_user_msg: echo, error_data: { details: echo } }),
    metaError(400, { message: echo, code: 190 }),
  );
  const exchange = await caught(
    client.exchangeCode({ clientId: '1234', clientSecret: APP_SECRET, code: CODE }),
  );
  const debug = await caught(client.debugToken({ inputToken: TOKEN, appId: '1234', appSecret: APP_SECRET }));
  const sent = await caught(send());
  // Each call knows its own secrets; Meta-style EAA… tokens are redacted wherever they appear.
  const expectations: [unknown, string[]][] = [
    [exchange, [APP_SECRET, CODE, TOKEN]],
    [debug, [TOKEN, APP_SECRET]],
    [sent, [TOKEN]],
  ];
  for (const [error, secrets] of expectations) {
    assert.ok(error instanceof GraphApiError);
    assertNoSecrets(error, secrets);
    assert.match(error.message, /\[redacted\]/);
  }
  server.reply(() => {
    /* hang */
  });
  const timedOut = await caught(
    client.debugToken({ inputToken: TOKEN, appId: '1234', appSecret: APP_SECRET }),
  );
  assert.ok(timedOut instanceof GraphNetworkError);
  assertNoSecrets(timedOut, [TOKEN, APP_SECRET]);
});
