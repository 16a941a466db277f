import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { metaJsonStringify, signBody } from '@openwaba/cloud-api';
import { and, eq } from 'drizzle-orm';
import { channels, wabas } from '../../../src/modules/channels/channels.tables.js';
import { contacts } from '../../../src/modules/contacts/contacts.tables.js';
import { conversations } from '../../../src/modules/conversations/conversations.tables.js';
import { messages } from '../../../src/modules/messages/messages.tables.js';
import { webhookEvents } from '../../../src/modules/webhooks/webhooks.tables.js';
import { newId } from '../../../src/platform/ids.js';
import { createKey, createWorkspaceWithOwner } from '../../helpers/access.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createSimWorld, FAST_SIM, type SimWorld } from '../../helpers/sim-world.js';

/**
 * A platform wired to the simulator for send tests: a workspace with a connected channel (its own
 * simulated number), an owner API key, and helpers to open a customer's 24-hour window.
 */
export interface SendWorld {
  t: TestApp;
  world: SimWorld;
  close(): Promise<void>;
}

export async function createSendWorld(
  simConfig: Parameters<typeof createSimWorld>[0] = {},
): Promise<SendWorld> {
  const world = await createSimWorld({ config: simConfig.config ?? FAST_SIM });
  const t = await createTestApp({ env: world.platformEnv(), listen: true });
  await world.setCallback(`${t.url}/webhooks/whatsapp`);
  return {
    t,
    world,
    async close() {
      await t.close();
      await world.close();
    },
  };
}

export interface Tenant {
  workspaceId: string;
  channelId: string;
  phoneNumberId: string;
  wabaRowId: string;
  wabaExternalId: string;
  headers: Record<string, string>;
}

let numberCounter = 0;

/** A workspace with a connected channel on a fresh simulated number of the world's WABA. */
export async function createTenant(
  sw: SendWorld,
  options: { workspaceId?: string; throughputLevel?: string; plan?: 'free' | 'pro' | 'enterprise' } = {},
): Promise<Tenant> {
  const { t, world } = sw;
  const workspaceId = options.workspaceId ?? (await createWorkspaceWithOwner(t)).workspaceId;
  if (options.plan) {
    const { updateWorkspace } = await import('../../../src/modules/workspaces/workspaces.repository.js');
    await updateWorkspace(t.platform.db, workspaceId, { plan: options.plan });
  }
  numberCounter += 1;
  // Each tenant gets its own simulated WABA and number, as separate businesses would.
  const simWaba = await world.control<{ id: string }>('POST', '/_sim/wabas', {
    business_id: world.businessId,
    name: `WABA ${numberCounter}`,
    subscribed_app_ids: [world.appId],
  });
  const number = await world.control<{ id: string }>('POST', '/_sim/phone-numbers', {
    waba_id: simWaba.id,
    display_phone_number: `+91 80 4718 ${String(3000 + numberCounter)}`,
    verified_name: 'Chai Point',
    registered: true,
    ...(options.throughputLevel ? { throughput_level: options.throughputLevel } : {}),
  });
  const token = await world.control<{ access_token: string }>('POST', '/_sim/tokens', {
    app_id: world.appId,
    business_id: world.businessId,
    waba_ids: [simWaba.id],
  });
  const tokenSecretId = await t.platform.vault.put(
    t.platform.db,
    workspaceId,
    'waba_token',
    token.access_token,
  );
  const wabaRowId = newId('waba');
  await t.platform.db
    .insert(wabas)
    .values({ id: wabaRowId, workspaceId, externalId: simWaba.id, tokenSecretId, status: 'active' });
  const channelId = newId('channel');
  await t.platform.db.insert(channels).values({
    id: channelId,
    workspaceId,
    wabaId: wabaRowId,
    phoneNumberId: number.id,
    status: 'connected',
    throughputLevel: options.throughputLevel ?? 'STANDARD',
  });
  const key = await createKey(t, workspaceId, 'owner');
  return {
    workspaceId,
    channelId,
    phoneNumberId: number.id,
    wabaRowId,
    wabaExternalId: simWaba.id,
    headers: key.headers,
  };
}

let customerCounter = 0;
export function newCustomerNumber(): string {
  customerCounter += 1;
  return `9198${String(process.pid % 1000).padStart(3, '0')}${String(customerCounter).padStart(5, '0')}`;
}

/** A simulated customer who has written to the tenant's number (the 24-hour window is open). */
export async function customerWithOpenWindow(sw: SendWorld, tenant: Tenant, waId = newCustomerNumber()) {
  await sw.world.addCustomer(waId, `Customer ${waId.slice(-4)}`);
  await sw.world.control('POST', `/_sim/customers/${waId}/send`, {
    phone_number_id: tenant.phoneNumberId,
    type: 'text',
    text: { body: 'Hello' },
  });
  const conversation = await eventually(
    async () => {
      const [row] = await sw.t.platform.db
        .select({
          id: conversations.id,
          contactId: conversations.contactId,
          lastInboundAt: conversations.lastInboundAt,
        })
        .from(conversations)
        .innerJoin(contacts, eq(contacts.id, conversations.contactId))
        .where(and(eq(conversations.channelId, tenant.channelId), eq(contacts.waId, waId)));
      return row;
    },
    (row) => Boolean(row?.lastInboundAt),
  );
  return { waId, contactId: conversation!.contactId, conversationId: conversation!.id };
}

export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function messageRow(sw: SendWorld, id: string) {
  const [row] = await sw.t.platform.db.select().from(messages).where(eq(messages.id, id));
  assert.ok(row, `message ${id} exists`);
  return row;
}

/** Waits until the message left `queued`/`sending` (or reached `status`). */
export function settled(sw: SendWorld, id: string, status?: string) {
  return eventually(
    () => messageRow(sw, id),
    (row) => (status ? row.status === status : !['queued', 'sending'].includes(row.status)),
  );
}

export interface SimReceived {
  id: string;
  type: string;
  phone_number_id: string;
  [key: string]: unknown;
}

export async function customerInbox(sw: SendWorld, waId: string): Promise<SimReceived[]> {
  const res = await sw.world.control<{ received: SimReceived[] }>('GET', `/_sim/customers/${waId}/messages`);
  return res.received;
}

export async function send(
  sw: SendWorld,
  tenant: Tenant,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return sw.t.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${tenant.workspaceId}/messages`,
    headers: { ...tenant.headers, ...headers },
    payload: { channelId: tenant.channelId, ...body },
  });
}

/** Posts a webhook body signed as Meta signs it, and waits until the platform has processed it. */
export async function postSignedWebhook(sw: SendWorld, payload: unknown): Promise<void> {
  const body = metaJsonStringify(payload);
  const res = await sw.t.inject({
    method: 'POST',
    url: '/webhooks/whatsapp',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signBody(body, sw.world.appSecret),
    },
    payload: body,
  });
  assert.equal(res.statusCode, 200, res.body);
  // Processed (or failed for good) once the stored event says so.
  const hash = createHash('sha256').update(body).digest('hex');
  const done = await eventually(
    async () => {
      const [row] = await sw.t.platform.db
        .select({ status: webhookEvents.status, lastError: webhookEvents.lastError })
        .from(webhookEvents)
        .where(eq(webhookEvents.contentHash, hash));
      return row;
    },
    (row) => row?.status === 'processed' || row?.status === 'dead' || row?.status === 'failed',
  );
  assert.equal(done?.status, 'processed', done?.lastError ?? '');
}
