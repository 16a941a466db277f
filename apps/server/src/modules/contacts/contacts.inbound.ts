import { and, eq, or } from 'drizzle-orm';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { LRUCache } from 'lru-cache';
import { type Platform, perPlatform } from '../../platform/context.js';
import type { Executor } from '../../platform/db/client.js';
import { type Actor, systemActor } from '../../platform/http/auth.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import {
  type ContactRow,
  contactOptEvents,
  contacts,
  type OptOutSource,
  optOutSettings,
} from './contacts.tables.js';
import {
  DEFAULT_START_KEYWORDS,
  DEFAULT_START_REPLY,
  DEFAULT_STOP_KEYWORDS,
  DEFAULT_STOP_REPLY,
  matchOptKeyword,
  type OptIntent,
} from './opt-out.js';

/** E.164 for a WhatsApp id (digits of the number), or null when it is not a valid phone number. */
export function waIdToE164(waId: string): string | null {
  const parsed = parsePhoneNumberFromString(`+${waId.replace(/^\+/, '')}`);
  return parsed?.isValid() ? parsed.number : null;
}

export interface InboundIdentity {
  waId?: string;
  userId?: string;
  profileName?: string;
}

/**
 * Finds or creates the contact a webhook names, by wa_id or business-scoped user id (either may be
 * missing since 2026), and refreshes what the webhook tells about it. Safe under concurrent calls.
 */
export async function upsertInboundContact(
  tx: Executor,
  workspaceId: string,
  who: InboundIdentity,
): Promise<ContactRow> {
  if (!who.waId && !who.userId) throw new Error('an inbound contact needs a wa_id or a user_id');
  const match = or(
    who.waId ? eq(contacts.waId, who.waId) : undefined,
    who.userId ? eq(contacts.userId, who.userId) : undefined,
  );
  const find = async () => {
    const [row] = await tx
      .select()
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), match))
      .limit(1);
    return row;
  };
  let contact = await find();
  if (!contact) {
    await tx
      .insert(contacts)
      .values({
        id: newId('contact'),
        workspaceId,
        waId: who.waId ?? null,
        userId: who.userId ?? null,
        phoneE164: who.waId ? waIdToE164(who.waId) : null,
        profileName: who.profileName ?? null,
      })
      .onConflictDoNothing();
    contact = await find();
    if (!contact) throw new Error('contact upsert lost a race it should have won');
  }
  const changes: Partial<typeof contacts.$inferInsert> = {};
  if (who.profileName && who.profileName !== contact.profileName) changes.profileName = who.profileName;
  if (who.userId && !contact.userId) changes.userId = who.userId;
  if (who.waId && !contact.waId) {
    changes.waId = who.waId;
    changes.phoneE164 = waIdToE164(who.waId);
  }
  if (Object.keys(changes).length === 0) return contact;
  const [updated] = await tx
    .update(contacts)
    .set({ ...changes, updatedAt: new Date() })
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contact.id)))
    .returning();
  return updated ?? contact;
}

export interface OptSettings {
  stop: string[];
  start: string[];
  stopReply: string;
  startReply: string;
  sendConfirmation: boolean;
}

// Every inbound batch needs its workspace's keywords, and a team changes them by hand, rarely: each
// process keeps them 5 seconds (one round trip less per batch). The process that saves a change forgets
// the old one at once; the built-in keywords apply whatever the cache holds.
const optSettingsCache = perPlatform(() => new LRUCache<string, OptSettings>({ max: 10_000, ttl: 5_000 }));

/** The workspace's keywords (its own on top of the built-in ones) and confirmation texts. */
export async function loadOptSettings(
  platform: Platform,
  tx: Executor,
  workspaceId: string,
): Promise<OptSettings> {
  const cache = optSettingsCache(platform);
  const cached = cache.get(workspaceId);
  if (cached) return cached;
  const [row] = await tx.select().from(optOutSettings).where(eq(optOutSettings.workspaceId, workspaceId));
  const settings = {
    stop: [...DEFAULT_STOP_KEYWORDS, ...(row?.stopKeywords ?? [])],
    start: [...DEFAULT_START_KEYWORDS, ...(row?.startKeywords ?? [])],
    stopReply: row?.stopReply ?? DEFAULT_STOP_REPLY,
    startReply: row?.startReply ?? DEFAULT_START_REPLY,
    sendConfirmation: row?.sendConfirmation ?? true,
  };
  cache.set(workspaceId, settings);
  return settings;
}

/** After a change of a workspace's opt settings: this process reads them again on the next batch. */
export function forgetOptSettings(platform: Platform, workspaceId: string): void {
  optSettingsCache(platform).delete(workspaceId);
}

export function detectOptIntent(texts: (string | undefined)[], settings: OptSettings): OptIntent {
  for (const text of texts) {
    const intent = matchOptKeyword(text, settings);
    if (intent) return intent;
  }
  return null;
}

export interface OptChange {
  change: 'opt_out' | 'opt_in' | 'marketing_opt_out' | 'marketing_opt_in';
  source: OptOutSource;
  at: Date;
  messageId?: string;
  actorId?: string;
  /** The actor's email or key name, kept in the history. */
  actorLabel?: string;
  /** Who made an agent/API change; webhook-driven changes are audited as the system. */
  actor?: Actor;
  detail?: string;
}

/**
 * Records an opt change and applies it to the contact. Returns false when the contact was already in
 * that state (nothing recorded), so repeats of the same STOP do not pile up history or replies.
 */
export async function applyOptChange(
  tx: Executor,
  workspaceId: string,
  contact: ContactRow,
  change: OptChange,
) {
  const column = change.change.startsWith('marketing') ? 'marketingOptedOutAt' : 'optedOutAt';
  const optingOut = change.change.endsWith('opt_out');
  const alreadyThere = optingOut ? contact[column] !== null : contact[column] === null;
  if (alreadyThere) return false;
  await tx
    .update(contacts)
    .set({ [column]: optingOut ? change.at : null, updatedAt: new Date() })
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contact.id)));
  // Compliance record: every opt change is audited with the change itself.
  await recordAudit(tx, change.actor ?? systemActor(`whatsapp ${change.source}`), {
    workspaceId,
    action: `contact.${change.change}`,
    resourceType: 'contact',
    resourceId: contact.id,
    before: { [column]: contact[column]?.toISOString() ?? null },
    after: {
      [column]: optingOut ? change.at.toISOString() : null,
      source: change.source,
      messageId: change.messageId ?? null,
    },
  });
  await tx.insert(contactOptEvents).values({
    id: newId('optEvent'),
    workspaceId,
    contactId: contact.id,
    change: change.change,
    source: change.source,
    messageId: change.messageId ?? null,
    actorId: change.actorId ?? null,
    actorLabel: change.actorLabel ?? null,
    detail: change.detail ?? null,
    occurredAt: change.at,
  });
  return true;
}
