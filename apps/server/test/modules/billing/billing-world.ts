import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { templateSends, usageLedger, wallets } from '../../../src/modules/billing/billing.tables.js';
import { upsertInboundContact } from '../../../src/modules/contacts/contacts.inbound.js';
import { ensureConversation } from '../../../src/modules/conversations/conversations.inbound.js';
import { messages } from '../../../src/modules/messages/messages.tables.js';
import { templates } from '../../../src/modules/templates/templates.tables.js';
import { newId } from '../../../src/platform/ids.js';
import type { Mailer } from '../../../src/platform/mailer.js';
import { createTestApp } from '../../helpers/app.js';
import { createSimWorld, FAST_SIM } from '../../helpers/sim-world.js';
import { newCustomerNumber, postSignedWebhook, type SendWorld, type Tenant } from '../messages/send-world.js';

export const OPERATOR_TOKEN = 'operator-token-for-billing-tests';
export const operatorHeaders = { authorization: `Bearer ${OPERATOR_TOKEN}` };

/** The send world (platform + simulator) with the operator API enabled. */
export async function createBillingWorld(options: { mailer?: Mailer } = {}): Promise<SendWorld> {
  const world = await createSimWorld({ config: FAST_SIM });
  const t = await createTestApp({
    env: { ...world.platformEnv(), OPERATOR_TOKEN },
    listen: true,
    mailer: options.mailer,
  });
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

/** Posts one signed `messages` webhook carrying these statuses for the tenant's number, as Meta would. */
export async function postStatuses(sw: SendWorld, tenant: Tenant, statuses: Record<string, unknown>[]) {
  const payload = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: tenant.wabaExternalId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '918047180000', phone_number_id: tenant.phoneNumberId },
              statuses,
            },
          },
        ],
      },
    ],
  };
  await postSignedWebhook(sw, payload);
}

/** A status item shaped like Meta's (CLOUD-API.md §2). */
export function status(
  wamid: string,
  waId: string,
  state: 'sent' | 'delivered' | 'read' | 'failed',
  at: Date,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: wamid,
    status: state,
    timestamp: String(Math.floor(at.getTime() / 1000)),
    recipient_id: waId,
    ...extra,
  };
}

export const pmp = (category: string, type = 'regular', billable = type === 'regular') => ({
  pricing: { billable, pricing_model: 'PMP', type, category },
});

export const cbp = (conversationId: string, category: string, billable = true) => ({
  conversation: { id: conversationId, origin: { type: category } },
  pricing: { billable, pricing_model: 'CBP', category },
});

/**
 * An outbound template message already accepted by Meta (it has a wamid), stored the way the send path
 * stores one, so crafted status sequences can be posted for it.
 */
export async function acceptedMessage(
  sw: SendWorld,
  tenant: Tenant,
  options: { waId?: string; template?: string; category?: string } = {},
) {
  const db = sw.t.platform.db;
  const waId = options.waId ?? newCustomerNumber();
  const contact = await upsertInboundContact(db, tenant.workspaceId, { waId });
  const { row: conversation } = await ensureConversation(
    db,
    tenant.workspaceId,
    tenant.channelId,
    contact.id,
  );
  const id = newId('message');
  const wamid = `wamid.${id}`;
  await db.insert(messages).values({
    id,
    workspaceId: tenant.workspaceId,
    conversationId: conversation.id,
    channelId: tenant.channelId,
    contactId: contact.id,
    direction: 'outbound',
    type: 'template',
    content: { template: { name: options.template ?? 'promo', language: { code: 'en_US' } } },
    status: 'queued',
    wamid,
    occurredAt: new Date(),
  });
  await db.insert(templateSends).values({
    messageId: id,
    workspaceId: tenant.workspaceId,
    channelId: tenant.channelId,
    contactId: contact.id,
    templateName: options.template ?? 'promo',
    templateLanguage: 'en_US',
    templateCategory: options.category ?? 'MARKETING',
    market: '91',
    currency: 'USD',
    estimateMicros: 0,
    hold: 'none',
    businessInitiated: true,
  });
  return { id, wamid, waId, contactId: contact.id };
}

export async function ledgerOf(sw: SendWorld, workspaceId: string) {
  return sw.t.platform.db
    .select()
    .from(usageLedger)
    .where(eq(usageLedger.workspaceId, workspaceId))
    .orderBy(usageLedger.occurredAt);
}

export async function walletOf(sw: SendWorld, workspaceId: string) {
  const [row] = await sw.t.platform.db.select().from(wallets).where(eq(wallets.workspaceId, workspaceId));
  return row;
}

/**
 * An approved template both at the simulator (so it accepts the send and reports Meta's pricing) and in
 * the platform (so the send path finds it).
 */
export async function approvedTemplate(
  sw: SendWorld,
  tenant: Tenant,
  name: string,
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION',
) {
  const { access_token } = await sw.world.control<{ access_token: string }>('POST', '/_sim/tokens', {
    app_id: sw.world.appId,
    business_id: sw.world.businessId,
    waba_ids: [tenant.wabaExternalId],
  });
  const components = [{ type: 'BODY', text: `Hello from ${name}` }];
  const res = await fetch(`${sw.world.graph}/${tenant.wabaExternalId}/message_templates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
    body: JSON.stringify({ name, language: 'en_US', category, components }),
  });
  const created = (await res.json()) as { id: string };
  assert.ok(res.ok, JSON.stringify(created));
  await sw.world.control('POST', `/_sim/templates/${created.id}/status`, { status: 'APPROVED' });
  await sw.t.platform.db
    .insert(templates)
    .values({
      id: newId('template'),
      workspaceId: tenant.workspaceId,
      wabaId: tenant.wabaRowId,
      externalId: created.id,
      name,
      language: 'en_US',
      category,
      status: 'APPROVED',
      components,
    })
    // The simulator's approval webhook may have brought the row in already (a sync asked for by it).
    .onConflictDoNothing();
}

export const templateBody = (name: string, to: Record<string, string>) => ({
  type: 'template',
  ...to,
  template: { name, language: 'en_US' },
});
