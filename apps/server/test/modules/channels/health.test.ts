import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../../src/modules/audit/audit.tables.js';
import { sendingCredentials } from '../../../src/modules/channels/channels.credentials.js';
import { channelNeedsReauth } from '../../../src/modules/channels/channels.events.js';
import { syncDueJob } from '../../../src/modules/channels/channels.jobs.js';
import { channels, wabas } from '../../../src/modules/channels/channels.tables.js';
import { CapturingMailer } from '../../../src/platform/mailer.js';
import { parseKeyRing } from '../../../src/platform/vault/keyring.js';
import { vaultSecrets } from '../../../src/platform/vault/tables.js';
import { Vault, VaultError } from '../../../src/platform/vault/vault.js';
import { createWorkspaceWithOwner } from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';
import { createSimWorld, type SimWorld } from '../../helpers/sim-world.js';
import { eventually, type GraphProxy, simWaba, startGraphProxy } from './fixtures.js';

interface ChannelBody {
  id: string;
  status: string;
  qualityRating: string | null;
  messagingLimitTier: string | null;
  wabaStatus: string;
}

let t: TestApp;
let world: SimWorld;
let proxy: GraphProxy;
let ws: string;
let headers: Record<string, string>;
const OPERATOR_TOKEN = 'operator-token-for-channels-tests-0001';
const mailer = new CapturingMailer();
const OLD_KEY = `old:${randomBytes(32).toString('base64')}`;
const NEW_KEY = `new:${randomBytes(32).toString('base64')}`;

before(async () => {
  world = await createSimWorld();
  proxy = await startGraphProxy(world);
  t = await createTestApp({
    mailer,
    // A ring whose current key is `new`; `old` still opens what it sealed until rotation re-wraps it.
    env: {
      ...world.platformEnv(),
      GRAPH_API_BASE_URL: proxy.url,
      OPERATOR_TOKEN,
      TOKEN_MASTER_KEY: `${NEW_KEY},${OLD_KEY}`,
    },
    listen: true,
  });
  const owner = await createWorkspaceWithOwner(t, 'Health Co');
  ws = owner.workspaceId;
  headers = owner.owner.headers;
});
after(async () => {
  await t.close();
  await proxy.close();
  await world.close();
});

/** Connects a fresh simulator WABA and number through the manual route. */
async function connect(options: { expiresIn?: number } = {}) {
  const sim = await simWaba(world, options);
  const res = await t.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws}/channels/manual`,
    headers,
    payload: { accessToken: sim.token, wabaId: sim.wabaId, phoneNumberId: sim.phoneNumberId },
  });
  assert.equal(res.statusCode, 201, res.body);
  const channel = json<{ channel: ChannelBody }>(res).channel;
  assert.equal(channel.status, 'connected');
  return { ...sim, channelId: channel.id };
}

const channelRow = async (id: string) =>
  (await t.platform.db.select().from(channels).where(eq(channels.id, id)))[0]!;
const syncNow = (channelId: string) =>
  t.inject({ method: 'POST', url: `/api/v1/workspaces/${ws}/channels/${channelId}/sync`, headers });

test('sync now refreshes the quality rating and messaging-limit tier from Meta', async () => {
  const c = await connect();
  // No callback URL is set yet, so only the sync can bring these changes in.
  await world.control('PATCH', `/_sim/phone-numbers/${c.phoneNumberId}`, {
    quality_rating: 'YELLOW',
    messaging_limit_tier: 'TIER_10K',
  });
  const res = await syncNow(c.channelId);
  assert.equal(res.statusCode, 200, res.body);
  const body = json<ChannelBody>(res);
  assert.equal(body.qualityRating, 'YELLOW');
  assert.equal(body.messagingLimitTier, 'TIER_10K');
  const audits = await t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.resourceId, c.channelId), eq(auditLog.action, 'channel.health_changed')));
  assert.equal(audits.length, 1);
  assert.deepEqual(audits[0]?.after, {
    qualityRating: 'YELLOW',
    messagingLimitTier: 'TIER_10K',
    source: 'sync',
  });
  // Nothing changed since: a second sync writes no audit row.
  await syncNow(c.channelId);
  const again = await t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.resourceId, c.channelId), eq(auditLog.action, 'channel.health_changed')));
  assert.equal(again.length, 1);
});

test('the scheduled sync refreshes numbers whose last sync is older than the interval', async () => {
  const fresh = await connect();
  const stale = await connect();
  const staleRow = await channelRow(stale.channelId);
  await t.platform.db
    .update(wabas)
    .set({ lastSyncedAt: new Date(Date.now() - 16 * 60_000) })
    .where(eq(wabas.id, staleRow.wabaId));
  for (const c of [fresh, stale]) {
    await world.control('PATCH', `/_sim/phone-numbers/${c.phoneNumberId}`, { throughput_level: 'HIGH' });
  }
  await t.platform.jobs.enqueue(syncDueJob, {});
  await eventually(
    () => channelRow(stale.channelId),
    (r) => r.throughputLevel === 'HIGH',
  );
  assert.equal((await channelRow(fresh.channelId)).throughputLevel, 'STANDARD', 'a fresh WABA is not due');
});

test('a phone_number_quality_update webhook updates the channel', async () => {
  const c = await connect();
  await world.setCallback(`${t.url}/webhooks/whatsapp`);
  await world.control('PATCH', `/_sim/phone-numbers/${c.phoneNumberId}`, {
    messaging_limit_tier: 'TIER_100K',
  });
  const row = await eventually(
    () => channelRow(c.channelId),
    (r) => r.messagingLimitTier === 'TIER_100K',
  );
  assert.equal(row.status, 'connected');
  const fromWebhook = await eventually(
    () =>
      t.platform.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.resourceId, c.channelId), eq(auditLog.action, 'channel.health_changed'))),
    (rows) => rows.some((r) => (r.after as { source?: string }).source === 'webhook'),
  );
  assert.ok(fromWebhook.length >= 1);
});

test('a tampered token ciphertext fails closed', async () => {
  const c = await connect();
  const [waba] = await t.platform.db
    .select()
    .from(wabas)
    .innerJoin(channels, eq(channels.wabaId, wabas.id))
    .where(eq(channels.id, c.channelId));
  const secretId = waba!.wabas.tokenSecretId!;
  const [secret] = await t.platform.db.select().from(vaultSecrets).where(eq(vaultSecrets.id, secretId));
  const bytes = Buffer.from(secret!.ciphertext!, 'base64');
  bytes[bytes.length - 1]! ^= 0x01;
  await t.platform.db
    .update(vaultSecrets)
    .set({ ciphertext: bytes.toString('base64') })
    .where(eq(vaultSecrets.id, secretId));
  const callsBefore = proxy.calls.length;
  const res = await syncNow(c.channelId);
  assert.equal(res.statusCode, 500, res.body);
  assert.ok(!res.body.includes(c.token));
  assert.equal(proxy.calls.length, callsBefore, 'no Graph call made with a token that did not open');
  await assert.rejects(sendingCredentials(t.platform, ws, c.channelId), VaultError);
});

test('disconnect unsubscribes the app, marks the channel disconnected and destroys the sealed token', async () => {
  const c = await connect();
  const [before] = await t.platform.db
    .select({ tokenSecretId: wabas.tokenSecretId, pinSecretId: channels.pinSecretId })
    .from(channels)
    .innerJoin(wabas, eq(wabas.id, channels.wabaId))
    .where(eq(channels.id, c.channelId));
  const pin = await t.platform.vault.reveal(ws, before!.pinSecretId!);
  const res = await t.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws}/channels/${c.channelId}/disconnect`,
    headers,
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(json<ChannelBody>(res).status, 'disconnected');
  assert.equal(json<ChannelBody>(res).wabaStatus, 'disconnected');
  assert.equal(proxy.count(new RegExp(`DELETE /v[\\d.]+/${c.wabaId}/subscribed_apps`)), 1);
  for (const id of [before!.tokenSecretId!, before!.pinSecretId!]) {
    const rows = await t.platform.db.select().from(vaultSecrets).where(eq(vaultSecrets.id, id));
    assert.equal(rows.length, 0, `secret ${id} destroyed`);
  }
  const credentials = await sendingCredentials(t.platform, ws, c.channelId);
  assert.equal(credentials.ok, false);
  // The number is free again. Its PIN went with the disconnect, and Meta still holds the old one: the
  // reconnect stops at register with Meta's 133005, and a retry with the right PIN finishes it.
  const again = await t.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws}/channels/manual`,
    headers,
    payload: { accessToken: c.token, wabaId: c.wabaId, phoneNumberId: c.phoneNumberId },
  });
  assert.equal(again.statusCode, 201, again.body);
  const stuck = json<{
    onboarding: { id: string; step: string };
    channel: ChannelBody & { lastError: { code?: number } };
  }>(again);
  assert.equal(stuck.onboarding.step, 'register_phone');
  assert.equal(stuck.channel.status, 'pending_register');
  assert.equal(stuck.channel.lastError.code, 133005);
  const retried = await t.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws}/channels/onboardings/${stuck.onboarding.id}/retry`,
    headers,
    payload: { pin },
  });
  assert.equal(retried.statusCode, 200, retried.body);
  assert.equal(json<{ channel: ChannelBody }>(retried).channel.status, 'connected');
  assert.ok(!retried.body.includes(pin) && !t.logs.text.includes(pin), 'the PIN is never echoed or logged');
  const audit = JSON.stringify(
    await t.platform.db.select().from(auditLog).where(eq(auditLog.resourceId, c.channelId)),
  );
  assert.match(audit, /channel\.disconnected/);
  assert.ok(!audit.includes(c.token));
});

test('the operator re-wraps every secret under the current key; tokens still open', async () => {
  const c = await connect();
  // A token sealed before the key rotation: under the old key only.
  const oldVault = new Vault(t.platform.db, parseKeyRing(OLD_KEY));
  const legacy = await oldVault.put(t.platform.db, ws, 'waba_token', 'legacy-token-sealed-under-old-key');
  const keys = await t.inject({
    method: 'GET',
    url: '/api/v1/operator/vault/keys',
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
  });
  assert.equal(keys.statusCode, 200, keys.body);
  const refused = await t.inject({ method: 'POST', url: '/api/v1/operator/vault/rotate', headers });
  assert.equal(refused.statusCode, 401, 'workspace owners are not the operator');
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/operator/vault/rotate',
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
  });
  assert.equal(res.statusCode, 200, res.body);
  const body = json<{ rewrapped: number; currentKeyId: string; usage: Record<string, number> }>(res);
  assert.equal(body.currentKeyId, 'new');
  assert.ok(body.rewrapped >= 1);
  assert.deepEqual(Object.keys(body.usage), ['new'], 'nothing left under the old key');
  assert.equal(await t.platform.vault.reveal(ws, legacy), 'legacy-token-sealed-under-old-key');
  await assert.rejects(oldVault.reveal(ws, legacy), VaultError, 'the old key alone no longer opens it');
  const credentials = await sendingCredentials(t.platform, ws, c.channelId);
  assert.ok(credentials.ok && credentials.accessToken === c.token);
});

test('a token Meta rejects (190) marks the WABA and number needs_reauth; syncs stop with a reason', async () => {
  const c = await connect({ expiresIn: 3600 });
  const events: { wabaId: string; code?: number }[] = [];
  const off = await t.platform.events.subscribe(channelNeedsReauth, (event) => events.push(event));
  await world.control('POST', '/_sim/clock/advance', { hours: 2 });

  const res = await syncNow(c.channelId);
  assert.equal(res.statusCode, 409, res.body);
  assert.equal(json<{ error: { code: string } }>(res).error.code, 'channel_needs_reauth');
  const row = await channelRow(c.channelId);
  assert.equal(row.status, 'needs_reauth');
  assert.equal(row.lastError?.code, 190);
  const [waba] = await t.platform.db.select().from(wabas).where(eq(wabas.id, row.wabaId));
  assert.equal(waba?.status, 'needs_reauth');
  await eventually(
    async () => events,
    (list) => list.some((e) => e.wabaId === row.wabaId && e.code === 190),
  );
  const credentials = await sendingCredentials(t.platform, ws, c.channelId);
  assert.deepEqual(credentials.ok ? null : credentials.reason, 'needs_reauth');

  // The next sync does not even call Meta.
  const callsBefore = proxy.calls.length;
  const again = await syncNow(c.channelId);
  assert.equal(again.statusCode, 409);
  assert.equal(proxy.calls.length, callsBefore);
  const audits = await t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.resourceId, row.wabaId), eq(auditLog.action, 'waba.needs_reauth')));
  assert.equal(audits.length, 1);
  const notice = await eventually(
    async () => mailer.sent.filter((m) => m.kind === 'channel_needs_reauth'),
    (sent) => sent.length > 0,
  );
  assert.equal(notice.length, 1, 'the owner is told once');
  assert.match(notice[0]!.text, /reconnect/);

  // Reconnecting with a fresh token brings the same channel back.
  const { access_token } = await world.control<{ access_token: string }>('POST', '/_sim/tokens', {
    app_id: world.appId,
    business_id: world.businessId,
    waba_ids: [c.wabaId],
  });
  const reconnect = await t.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws}/channels/manual`,
    headers,
    payload: { accessToken: access_token, wabaId: c.wabaId, phoneNumberId: c.phoneNumberId },
  });
  assert.equal(reconnect.statusCode, 201, reconnect.body);
  const back = json<{ channel: ChannelBody }>(reconnect).channel;
  assert.equal(back.id, c.channelId);
  assert.equal(back.status, 'connected');
  assert.equal(back.wabaStatus, 'active');
  await off();
  assert.ok(!t.logs.text.includes(c.token) && !t.logs.text.includes(access_token), 'no token in logs');
});
