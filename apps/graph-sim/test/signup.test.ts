import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { type Client, type Receiver, startAll, V } from './helpers.js';

let c: Client;
let rx: Receiver;
let close: () => Promise<void>;

before(async () => {
  const s = await startAll();
  c = s.c;
  rx = s.rx;
  close = async () => {
    await s.sim.close();
    await rx.close();
  };
});
after(() => close());
beforeEach(() => c.control('POST', '/reset'));

test('full Embedded Signup sequence: code → token → debug_token → subscribe → register → numbers', async () => {
  const app = await c.control('POST', '/apps', { id: '1111222233334444', secret: 'app-secret' });
  const business = await c.control('POST', '/businesses', { id: '5550001' });

  // The popup page is served and speaks Meta's FINISH event.
  const page = await c.call('GET', `/_sim/signup?app_id=${app.id}&origin=http://localhost:5173`);
  assert.equal(page.status, 200);
  assert.match(String(page.body), /WA_EMBEDDED_SIGNUP/);
  assert.match(String(page.body), /FINISH/);
  const dialog = await c.call('GET', `/${V}/dialog/oauth?client_id=${app.id}`);
  assert.equal(dialog.status, 200);

  const done = await c.control('POST', '/signup/complete', {
    app_id: app.id,
    business_id: business.id,
    waba_name: 'Acme WABA',
    display_phone_number: '+1 555-020-0001',
    verified_name: 'Acme',
  });
  assert.ok(done.code && done.waba_id && done.phone_number_id);
  assert.equal(done.business_id, business.id);

  const bad = await c.graph(
    'GET',
    `/oauth/access_token?client_id=${app.id}&client_secret=wrong&code=${done.code}`,
    undefined,
  );
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 1);

  const exchange = await c.graph(
    'GET',
    `/oauth/access_token?client_id=${app.id}&client_secret=app-secret&code=${done.code}`,
    undefined,
  );
  assert.equal(exchange.status, 200, JSON.stringify(exchange.body));
  assert.equal(exchange.body.token_type, 'bearer');
  const token = exchange.body.access_token as string;

  const again = await c.graph(
    'GET',
    `/oauth/access_token?client_id=${app.id}&client_secret=app-secret&code=${done.code}`,
    undefined,
  );
  assert.equal(again.body.error.code, 100);
  assert.equal(again.body.error.error_subcode, 36009, 'codes are single-use');
  assert.equal(again.body.error.error_data, undefined, 'Graph-level OAuth errors carry no error_data');

  const debug = await c.graph('GET', `/debug_token?input_token=${token}`, `${app.id}|app-secret`);
  assert.equal(debug.status, 200);
  assert.equal(debug.body.data.is_valid, true);
  assert.equal(debug.body.data.app_id, app.id);
  const scopes = debug.body.data.granular_scopes as { scope: string; target_ids?: string[] }[];
  for (const scope of ['whatsapp_business_management', 'whatsapp_business_messaging']) {
    assert.deepEqual(scopes.find((s) => s.scope === scope)?.target_ids, [done.waba_id]);
  }

  const invalid = await c.graph('GET', '/debug_token?input_token=nonsense', `${app.id}|app-secret`);
  assert.equal(invalid.body.data.is_valid, false);

  const sub = await c.graph('POST', `/${done.waba_id}/subscribed_apps`, token);
  assert.deepEqual(sub.body, { success: true });
  const subs = await c.graph('GET', `/${done.waba_id}/subscribed_apps`, token);
  assert.equal(subs.body.data[0].whatsapp_business_api_data.id, app.id);

  // Not registered yet: sending fails with 133010, listing says NOT_APPLICABLE.
  const before = await c.graph('GET', `/${done.phone_number_id}`, token);
  assert.equal(before.body.platform_type, 'NOT_APPLICABLE');

  const badPin = await c.graph('POST', `/${done.phone_number_id}/register`, token, {
    messaging_product: 'whatsapp',
    pin: '12',
  });
  assert.equal(badPin.body.error.code, 100);
  const reg = await c.graph('POST', `/${done.phone_number_id}/register`, token, {
    messaging_product: 'whatsapp',
    pin: '123456',
  });
  assert.deepEqual(reg.body, { success: true });

  const list = await c.graph('GET', `/${done.waba_id}/phone_numbers`, token);
  assert.equal(list.status, 200);
  const n = list.body.data[0];
  assert.equal(n.id, done.phone_number_id);
  assert.equal(n.display_phone_number, '+1 555-020-0001');
  assert.equal(n.verified_name, 'Acme');
  assert.equal(n.quality_rating, 'GREEN');
  assert.equal(n.throughput.level, 'STANDARD');
  assert.equal(n.whatsapp_business_manager_messaging_limit, 'TIER_250');
  assert.equal(n.platform_type, 'CLOUD_API');
  assert.ok(list.body.paging.cursors.after);

  const picked = await c.graph('GET', `/${done.phone_number_id}?fields=quality_rating,throughput`, token);
  assert.deepEqual(Object.keys(picked.body).sort(), ['id', 'quality_rating', 'throughput']);

  // Another business's token cannot see this WABA.
  const other = await c.control('POST', '/tokens', { app_id: app.id, waba_ids: ['999'] });
  const hidden = await c.graph('GET', `/${done.waba_id}/phone_numbers`, other.access_token);
  assert.equal(hidden.body.error.code, 100);
  assert.equal(hidden.body.error.error_subcode, 33);
  assert.equal(hidden.body.error.type, 'GraphMethodException');
  assert.equal(hidden.body.error.error_data, undefined, 'unknown-object errors carry no error_data');
});

test('codes expire on the simulated clock', async () => {
  const app = await c.control('POST', '/apps', { secret: 's3cret' });
  const b = await c.control('POST', '/businesses', {});
  const waba = await c.control('POST', '/wabas', { business_id: b.id });
  const { code } = await c.control('POST', '/signup/code', {
    app_id: app.id,
    business_id: b.id,
    waba_id: waba.id,
  });
  await c.control('POST', '/clock/advance', { seconds: 31 });
  const r = await c.graph(
    'GET',
    `/oauth/access_token?client_id=${app.id}&client_secret=s3cret&code=${code}`,
    undefined,
  );
  assert.equal(r.body.error.code, 100);
  assert.match(r.body.error.message, /expired/);
  assert.equal(r.body.error.error_subcode, 36007);
  assert.equal(r.body.error.error_data, undefined);
});

test('register and deregister share a limit of 10 per 72 hours (133016)', async () => {
  const app = await c.control('POST', '/apps', {});
  const b = await c.control('POST', '/businesses', {});
  const waba = await c.control('POST', '/wabas', { business_id: b.id });
  const n = await c.control('POST', '/phone-numbers', { waba_id: waba.id, registered: false });
  const t = await c.control('POST', '/tokens', { app_id: app.id, waba_ids: [waba.id] });
  const register = () =>
    c.graph('POST', `/${n.id}/register`, t.access_token, { messaging_product: 'whatsapp', pin: '654321' });
  for (let i = 0; i < 10; i += 1) assert.equal((await register()).status, 200, `call ${i + 1}`);
  const over = await register();
  assert.equal(over.body.error.code, 133016);
  assert.ok(over.body.error.fbtrace_id);
  assert.equal(over.body.error.error_data.messaging_product, 'whatsapp');
  await c.control('POST', '/clock/advance', { hours: 72 });
  assert.equal((await register()).status, 200);
  const wrongPin = await c.graph('POST', `/${n.id}/register`, t.access_token, {
    messaging_product: 'whatsapp',
    pin: '111111',
  });
  assert.equal(wrongPin.body.error.code, 133005);
});

test('app subscription verifies the callback with hub.challenge', async () => {
  const app = await c.control('POST', '/apps', { secret: 'x1' });
  const appToken = `${app.id}|x1`;
  const wrong = await c.graph('POST', `/${app.id}/subscriptions`, appToken, {
    object: 'whatsapp_business_account',
    callback_url: rx.url,
    verify_token: 'nope',
  });
  assert.equal(wrong.body.error.code, 2200);
  const ok = await c.graph('POST', `/${app.id}/subscriptions`, appToken, {
    object: 'whatsapp_business_account',
    callback_url: rx.url,
    verify_token: rx.verifyToken,
  });
  assert.deepEqual(ok.body, { success: true });
  const list = await c.graph('GET', `/${app.id}/subscriptions`, appToken);
  assert.equal(list.body.data[0].callback_url, rx.url);
});

test('tokens: missing, unknown, expired → 190; any v1x.0–v2x.0 prefix works', async () => {
  const app = await c.control('POST', '/apps', {});
  const b = await c.control('POST', '/businesses', {});
  const waba = await c.control('POST', '/wabas', { business_id: b.id });
  const missing = await c.graph('GET', `/${waba.id}/phone_numbers`, undefined);
  assert.equal(missing.status, 401);
  assert.equal(missing.body.error.code, 190);
  assert.equal(missing.body.error.type, 'OAuthException');
  const unknown = await c.graph('GET', `/${waba.id}/phone_numbers`, 'EAAGnot-a-token');
  assert.equal(unknown.body.error.code, 190);
  assert.equal(unknown.body.error.message, 'Invalid OAuth access token - Cannot parse access token');
  assert.equal(unknown.body.error.error_data, undefined);
  const t = await c.control('POST', '/tokens', { app_id: app.id, expires_in: 60 });
  for (const v of ['v18.0', 'v21.0', 'v25.0']) {
    const r = await c.call('GET', `/${v}/${waba.id}/phone_numbers`, { token: t.access_token });
    assert.equal(r.status, 200, v);
  }
  const old = await c.call('GET', `/v9.0/${waba.id}/phone_numbers`, { token: t.access_token });
  assert.equal(old.status, 400);
  await c.control('POST', '/clock/advance', { seconds: 61 });
  const expired = await c.graph('GET', `/${waba.id}/phone_numbers`, t.access_token);
  assert.equal(expired.body.error.code, 190);
  assert.equal(expired.body.error.error_subcode, 463);
});

test('POST parameters may come in the query string (pywa subscriptions, register)', async () => {
  const app = await c.control('POST', '/apps', { secret: 'q1' });
  const appToken = `${app.id}|q1`;
  const q = new URLSearchParams({
    object: 'whatsapp_business_account',
    callback_url: rx.url,
    verify_token: rx.verifyToken,
  });
  const ok = await c.graph('POST', `/${app.id}/subscriptions?${q}`, appToken);
  assert.deepEqual(ok.body, { success: true });
  const list = await c.graph('GET', `/${app.id}/subscriptions`, appToken);
  assert.equal(list.body.data[0].callback_url, rx.url);

  const b = await c.control('POST', '/businesses', {});
  const waba = await c.control('POST', '/wabas', { business_id: b.id });
  const n = await c.control('POST', '/phone-numbers', { waba_id: waba.id, registered: false });
  const t = await c.control('POST', '/tokens', { app_id: app.id, waba_ids: [waba.id] });
  const reg = await c.graph(
    'POST',
    `/${n.id}/register?messaging_product=whatsapp&pin=123456`,
    t.access_token,
  );
  assert.deepEqual(reg.body, { success: true });
  const mixed = await c.graph('POST', `/${n.id}/register?pin=000000`, t.access_token, {
    messaging_product: 'whatsapp',
    pin: '123456',
  });
  assert.deepEqual(mixed.body, { success: true }, 'body fields win over the query string');
});

test('an empty body sent as application/json is an empty object (chatwoot DELETE subscribed_apps)', async () => {
  const app = await c.control('POST', '/apps', {});
  const b = await c.control('POST', '/businesses', {});
  const waba = await c.control('POST', '/wabas', { business_id: b.id, subscribed_app_ids: [app.id] });
  const t = await c.control('POST', '/tokens', { app_id: app.id, waba_ids: [waba.id] });
  const headers = { authorization: `Bearer ${t.access_token}`, 'content-type': 'application/json' };
  const del = await fetch(`${c.base}/${V}/${waba.id}/subscribed_apps`, { method: 'DELETE', headers });
  assert.equal(del.status, 200);
  assert.deepEqual(await del.json(), { success: true });
  const sub = await fetch(`${c.base}/${V}/${waba.id}/subscribed_apps`, { method: 'POST', headers, body: '' });
  assert.deepEqual(await sub.json(), { success: true });
  const bad = await fetch(`${c.base}/${V}/${waba.id}/subscribed_apps`, {
    method: 'POST',
    headers,
    body: '{x',
  });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { code: number } }).error.code, 100);
});
