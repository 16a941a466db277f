import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PlatformModule } from '../../src/platform/context.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

/** Secrets a careless route could leak into logs; none may appear in the captured output. */
const SECRETS = {
  bearer: 'EAAGm0PX4ZCpsBAJZC9sekret',
  cookie: 'sess_9f8e7d6c5b4a',
  password: 'correct-horse-battery-staple',
  token: 'tok_live_123456789',
  pin: '918273',
  apiKey: 'owk_abcdef0123456789',
  appSecret: 'app-secret-f00dbabe',
  queryToken: 'EAAquerytoken42',
  code: 'AQBxyzsignupcode',
  capitalBearer: 'EAAcapitalAuthorization77',
  graphToken: 'EAAdeepGraphResponse88',
  masterKey: 'master-key-in-a-camel-case-field',
  registrationPin: '564738',
};

const careless: PlatformModule = {
  name: 'careless',
  routes(app) {
    app.post('/api/v1/careless', async (request) => {
      // What a hurried developer might write: log the whole body and headers.
      request.log.info({ body: request.body, headers: request.headers }, 'incoming');
      request.log.warn(
        { config: { appSecret: SECRETS.appSecret }, user: { password: SECRETS.password } },
        'nested',
      );
      request.log.info({ headers: { Authorization: `Bearer ${SECRETS.capitalBearer}` } }, 'capital');
      const graphError = Object.assign(new Error('graph call failed'), {
        response: { status: 400, data: { access_token: SECRETS.graphToken } },
      });
      request.log.error({ err: graphError }, 'graph');
      request.log.info(
        {
          job: {
            settings: [
              { vault: { tokenMasterKey: SECRETS.masterKey, registrationPin: SECRETS.registrationPin } },
            ],
          },
        },
        'deep',
      );
      return { ok: true };
    });
  },
};

let t: TestApp;
before(async () => {
  t = await createTestApp({ modules: [careless] });
});
after(async () => {
  await t.close();
});

test('authorization headers, cookies, tokens, secrets, PINs, passwords and API keys never reach the log', async () => {
  const res = await t.inject({
    method: 'POST',
    url: `/api/v1/careless?access_token=${SECRETS.queryToken}&code=${SECRETS.code}&page=2`,
    headers: {
      authorization: `Bearer ${SECRETS.bearer}`,
      cookie: `owaba_session=${SECRETS.cookie}`,
      'x-api-key': SECRETS.apiKey,
    },
    payload: {
      password: SECRETS.password,
      token: SECRETS.token,
      pin: SECRETS.pin,
      apiKey: SECRETS.apiKey,
      nested: { appSecret: SECRETS.appSecret, access_token: SECRETS.bearer },
    },
  });
  assert.equal(res.statusCode, 200);
  const output = t.logs.text;
  assert.ok(output.includes('incoming'), 'the careless log line was written');
  assert.ok(output.includes('page=2'), 'non-secret query parameters are kept');
  assert.ok(output.includes('graph call failed'), 'a scrubbed error keeps its message');
  assert.ok(output.includes('"status":400'), 'non-secret fields beside a secret are kept');
  for (const [name, value] of Object.entries(SECRETS)) {
    assert.ok(!output.includes(value), `${name} leaked into the log`);
  }
  assert.ok(output.includes('[REDACTED]'));
});
