import { and, countDistinct, eq, gt, sql } from 'drizzle-orm';
import type { Platform } from '../../platform/context.js';
import { type Executor, queryRows } from '../../platform/db/client.js';
import { AppError } from '../../platform/http/errors.js';
import type { ChannelRow } from '../channels/channels.tables.js';
import type { ContactRow } from '../contacts/contacts.tables.js';
import type { ConversationRow } from '../conversations/conversations.tables.js';
import { customerServiceWindow } from '../conversations/window.js';
import type { SendRefusal } from '../messages/send.checks.js';
import type { TemplateRow } from '../templates/templates.tables.js';
import { findRate, marketOf, microsToDecimal } from './billing.rates.js';
import { templateSends } from './billing.tables.js';
import { findWallet, reserve } from './billing.wallet.js';
import { pausingFlag } from './governance.service.js';

/**
 * What billing asks of a template send before it is queued — the template is not paused by
 * governance, the number's messaging limit has room for a new business-initiated contact, a prepaid
 * wallet covers the estimate — and what it records once the message row exists.
 */
export interface PlannedTemplateSend {
  workspaceId: string;
  channelId: string;
  contactId: string;
  templateName: string;
  templateLanguage: string;
  templateCategory: string;
  market: string;
  currency: string;
  estimateMicros: number;
  prepaid: boolean;
  businessInitiated: boolean;
}

/** Meta's messaging-limit tier (`TIER_250`, `TIER_2K`, `TIER_100K`, `TIER_UNLIMITED`) as a number. */
export function tierLimit(tier: string | null | undefined): number | null {
  const match = /^TIER_(\d+)(K)?$/i.exec(tier ?? '');
  if (!match) return null;
  return Number(match[1]) * (match[2] ? 1000 : 1);
}

const TIER_WINDOW_MS = 24 * 3600 * 1000;

/** Billing's checks for a template send; `null` plan for anything else (free-form sends are never billed here). */
export async function planTemplateSend(
  platform: Platform,
  input: {
    workspaceId: string;
    channel: Pick<ChannelRow, 'id' | 'messagingLimitTier'>;
    contact: Pick<ContactRow, 'id' | 'waId'>;
    /** The send path's conversation with the contact on this channel, as it read it (none yet: undefined). */
    conversation: Pick<ConversationRow, 'lastInboundAt'> | undefined;
    template: TemplateRow | null;
  },
): Promise<{ ok: true; value: PlannedTemplateSend | null } | { ok: false; refusal: SendRefusal }> {
  const { workspaceId, channel, contact, conversation, template } = input;
  if (!template) return { ok: true, value: null };
  const category = template.category.toLowerCase();

  if (category === 'marketing') {
    const flag = await pausingFlag(platform.db, workspaceId, channel.id, template.name);
    if (flag) {
      return refuse(
        'template_paused',
        `Marketing sends of "${template.name}" on this number are paused for review (${flag.reason.replace(/_/g, ' ')} flagged ${flag.raisedAt.toISOString()}); a Manager can resume them`,
      );
    }
  }

  const windowOpen = customerServiceWindow(conversation?.lastInboundAt ?? null).open;

  const limit = tierLimit(channel.messagingLimitTier);
  if (!windowOpen && limit !== null) {
    const reached = await uniqueBusinessInitiated(platform.db, channel.id, contact.id);
    if (!reached.includesContact && reached.count >= limit) {
      return refuse(
        'tier_limit_reached',
        `This number may start conversations with ${limit} people per rolling 24 hours (${channel.messagingLimitTier}); the limit is reached`,
      );
    }
  }

  const wallet = await findWallet(platform.db, workspaceId, platform.config.billing.currency);
  const market = marketOf(contact.waId);
  const free = category === 'utility' && windowOpen;
  const rate = free
    ? null
    : await findRate(platform.db, { category, market, currency: wallet.currency, at: new Date() });
  const estimateMicros = rate?.priceMicros ?? 0;
  const prepaid = wallet.mode === 'prepaid';
  if (prepaid && estimateMicros > wallet.balanceMicros - wallet.reservedMicros) {
    return refuse(
      'insufficient_balance',
      `The wallet's available balance (${microsToDecimal(wallet.balanceMicros - wallet.reservedMicros)} ${wallet.currency}) does not cover this message (${microsToDecimal(estimateMicros)} ${wallet.currency}); top up to keep sending`,
    );
  }
  return {
    ok: true,
    value: {
      workspaceId,
      channelId: channel.id,
      contactId: contact.id,
      templateName: template.name,
      templateLanguage: template.language,
      templateCategory: template.category,
      market,
      currency: wallet.currency,
      estimateMicros,
      prepaid,
      businessInitiated: !windowOpen,
    },
  };
}

/**
 * Records the planned send with its message, in the send transaction, and holds a prepaid estimate.
 * A concurrent send may have used the balance since the check: then the whole send is refused.
 */
export async function recordTemplateSend(
  tx: Executor,
  plan: PlannedTemplateSend,
  messageId: string,
): Promise<void> {
  const hold = plan.prepaid && plan.estimateMicros > 0;
  if (hold && !(await reserve(tx, plan.workspaceId, plan.estimateMicros, messageId))) {
    throw new AppError(
      'insufficient_balance',
      "The wallet's available balance no longer covers this message",
    );
  }
  const { prepaid: _prepaid, ...row } = plan;
  await tx.insert(templateSends).values({ ...row, messageId, hold: hold ? 'held' : 'none' });
}

async function uniqueBusinessInitiated(db: Executor, channelId: string, contactId: string) {
  const since = new Date(Date.now() - TIER_WINDOW_MS);
  const [row] = await db
    .select({
      count: countDistinct(templateSends.contactId),
      includesContact: sql<boolean>`coalesce(bool_or(${templateSends.contactId} = ${contactId}), false)`,
    })
    .from(templateSends)
    .where(
      and(
        eq(templateSends.channelId, channelId),
        eq(templateSends.businessInitiated, true),
        gt(templateSends.createdAt, since),
        sql`${templateSends.outcome} is distinct from 'failed'`,
      ),
    );
  return { count: Number(row?.count ?? 0), includesContact: Boolean(row?.includesContact) };
}

const refuse = (code: SendRefusal['code'], message: string) =>
  ({ ok: false, refusal: { code, message } }) as const;

/** Template sends are needed for 25 hours (tier, governance); a week is kept for the velocity view. */
const TEMPLATE_SEND_RETENTION_MS = 8 * 24 * 3600 * 1000;

/** Deletes settled template sends past retention, in batches; returns how many. */
export async function purgeTemplateSends(db: Executor, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - TEMPLATE_SEND_RETENTION_MS).toISOString();
  let total = 0;
  for (;;) {
    const deleted = await queryRows(
      db,
      sql`
      delete from billing_template_sends where message_id in (
        select message_id from billing_template_sends
        where created_at < ${cutoff}::timestamptz and hold <> 'held'
        limit 5000)
      returning message_id`,
    );
    const count = deleted.length;
    total += count;
    if (count < 5000) return total;
  }
}
