import type { MessageStatus as MetaStatus } from '@openwaba/cloud-api';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../platform/db/client.js';
import { newId } from '../../platform/ids.js';
import { clearUndeliverable } from '../contacts/contacts.bulk.js';
import { noteUndeliverable } from '../contacts/contacts.delivery.js';
import {
  applyStatus,
  field,
  type InboundMessageInput,
  inboundMessageRow,
  metaTime,
  str,
  toMessageError,
} from './messages.inbound.js';
import { type MessageError, messageStatusEvents, messages } from './messages.tables.js';
import { statusRank, visibleStatus } from './status-rank.js';

/**
 * The batch path of webhook processing: many inbound messages and statuses in a few set-based
 * statements instead of a dozen round trips each. Same rules as messages.inbound.ts.
 */
type Loose = Record<string, unknown>;

/** An inbound message as stored by insertInboundMessages: what the rest of the batch needs of it. */
export interface StoredInbound {
  id: string;
  wamid: string;
  conversationId: string;
  contactId: string;
  occurredAt: Date;
  hasMedia: boolean;
}

/**
 * Stores many inbound messages in one statement; returns only those not stored before. The rows go as
 * one JSON parameter (json_populate_recordset): a batch of hundreds costs PostgreSQL little, and no
 * per-value statement building here.
 */
export async function insertInboundMessages(
  tx: Executor,
  inputs: readonly InboundMessageInput[],
): Promise<StoredInbound[]> {
  if (inputs.length === 0) return [];
  // In wamid order, so concurrent batches take the unique index's locks in the same order.
  const rows = inputs
    .map(inboundMessageRow)
    .sort((a, b) => ((a.wamid ?? '') < (b.wamid ?? '') ? -1 : 1))
    .map((row) =>
      // Absent keys become NULL; a JSON null would become a jsonb 'null' in the jsonb columns.
      withoutNulls({
        id: row.id,
        workspace_id: row.workspaceId,
        conversation_id: row.conversationId,
        channel_id: row.channelId,
        contact_id: row.contactId,
        direction: row.direction,
        type: row.type,
        wamid: row.wamid,
        content: row.content,
        preview: row.preview,
        status: row.status,
        media: row.media,
        context_wamid: row.contextWamid,
        occurred_at: row.occurredAt.toISOString(),
      }),
    );
  const columns = sql.raw(INBOUND_COLUMNS.join(', '));
  const stored = await queryRows<{
    id: string;
    wamid: string;
    conversation_id: string;
    contact_id: string;
    occurred_at: Date;
    has_media: boolean;
  }>(
    tx,
    sql`insert into messages (${columns})
      select ${columns} from json_populate_recordset(null::messages, ${JSON.stringify(rows)}::json)
      on conflict do nothing
      returning id, wamid, conversation_id, contact_id, occurred_at, media is not null as has_media`,
  );
  return stored.map((row) => ({
    id: row.id,
    wamid: row.wamid,
    conversationId: row.conversation_id,
    contactId: row.contact_id,
    occurredAt: new Date(row.occurred_at),
    hasMedia: row.has_media,
  }));
}

const INBOUND_COLUMNS = [
  'id',
  'workspace_id',
  'conversation_id',
  'channel_id',
  'contact_id',
  'direction',
  'type',
  'wamid',
  'content',
  'preview',
  'status',
  'media',
  'context_wamid',
  'occurred_at',
];

function withoutNulls(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (value !== null && value !== undefined) out[key] = value;
  return out;
}

export interface StatusChange {
  messageId: string;
  conversationId: string;
  movedTo: 'sent' | 'delivered' | 'read' | 'failed';
}

interface WamidStatuses {
  best: { status: 'sent' | 'delivered' | 'read' | 'failed'; rank: number } | null;
  times: Partial<Record<'sent' | 'delivered' | 'read' | 'failed', Date>>;
  pricing: Loose | null;
  error: MessageError | null;
}

/**
 * applyStatus for a batch: records every status once (by wamid and status) and moves each message to
 * the furthest status of the batch, by rank. Messages are locked in id order (no deadlocks between
 * concurrent batches). Returns the messages whose visible status moved.
 */
export async function applyStatuses(
  tx: Executor,
  workspaceId: string,
  statuses: readonly MetaStatus[],
): Promise<StatusChange[]> {
  if (statuses.length === 0) return [];
  const events = statuses
    .map((status) => ({
      id: newId('statusEvent'),
      workspaceId,
      wamid: status.id,
      status: status.status,
      occurredAt: metaTime(status.timestamp),
      pricing: (status.pricing as Loose | undefined) ?? null,
      conversation: (status.conversation as Loose | undefined) ?? null,
      errors: status.errors && status.errors.length > 0 ? (status.errors as Loose[]) : null,
      recipientId: str(field(status, 'recipient_id')) ?? null,
    }))
    .sort((a, b) => (a.wamid === b.wamid ? (a.status < b.status ? -1 : 1) : a.wamid < b.wamid ? -1 : 1));
  await tx.insert(messageStatusEvents).values(events).onConflictDoNothing();

  const byWamid = new Map<string, WamidStatuses>();
  for (const status of statuses) {
    const entry = byWamid.get(status.id) ?? { best: null, times: {}, pricing: null, error: null };
    const shown = visibleStatus(status.status);
    if (shown) {
      const at = metaTime(status.timestamp);
      const previous = entry.times[shown];
      if (!previous || at < previous) entry.times[shown] = at;
      const rank = statusRank(status.status);
      if (!entry.best || rank > entry.best.rank) entry.best = { status: shown, rank };
      if (status.pricing) entry.pricing = status.pricing as Loose;
      if (shown === 'failed') entry.error = toMessageError((status.errors ?? [])[0] as Loose | undefined);
    }
    byWamid.set(status.id, entry);
  }

  const wamids = [...byWamid.keys()];
  const locked = await tx
    .select({
      id: messages.id,
      wamid: messages.wamid,
      statusRank: messages.statusRank,
      status: messages.status,
      conversationId: messages.conversationId,
      contactId: messages.contactId,
    })
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), inArray(messages.wamid, wamids)))
    .orderBy(messages.id)
    .for('update');
  const found = new Set(locked.map((row) => row.wamid));
  const changes: StatusChange[] = [];
  // Wamids we have not stored: the one-by-one path adopts our own sends by biz_opaque_callback_data.
  for (const status of statuses) {
    if (found.has(status.id)) continue;
    const outcome = await applyStatus(tx, workspaceId, status);
    if (outcome.message && outcome.movedTo) {
      changes.push({
        messageId: outcome.message.id,
        conversationId: outcome.message.conversationId,
        movedTo: outcome.movedTo,
      });
    }
  }
  if (locked.length === 0) return changes;

  const backoff: { contactId: string; status: string; code: number | undefined }[] = [];
  const values = locked.map((row) => {
    const entry = byWamid.get(row.wamid ?? '')!;
    const moves =
      entry.best !== null && entry.best.rank > row.statusRank && row.statusRank < statusRank('failed');
    if (moves && entry.best) {
      changes.push({ messageId: row.id, conversationId: row.conversationId, movedTo: entry.best.status });
      backoff.push({ contactId: row.contactId, status: entry.best.status, code: entry.error?.code });
    }
    const iso = (date: Date | undefined) => date?.toISOString() ?? null;
    return sql`(${row.id}, ${moves ? entry.best!.status : row.status}, ${moves ? entry.best!.rank : row.statusRank}::int,
      ${iso(entry.times.sent)}::timestamptz, ${iso(entry.times.delivered)}::timestamptz,
      ${iso(entry.times.read)}::timestamptz, ${iso(entry.times.failed)}::timestamptz,
      ${entry.pricing ? JSON.stringify(entry.pricing) : null}::jsonb,
      ${moves && entry.error ? JSON.stringify(entry.error) : null}::jsonb)`;
  });
  await tx.execute(sql`
    update messages set
      status = v.status, status_rank = v.rank,
      send_started_at = case when v.status in ('sent', 'delivered', 'read') then null else messages.send_started_at end,
      sent_at = coalesce(messages.sent_at, v.sent_at),
      delivered_at = coalesce(messages.delivered_at, v.delivered_at),
      read_at = coalesce(messages.read_at, v.read_at),
      failed_at = coalesce(messages.failed_at, v.failed_at),
      pricing = coalesce(v.pricing, messages.pricing),
      error = coalesce(v.error, messages.error),
      updated_at = now()
    from (values ${sql.join(values, sql`, `)}) as v(id, status, rank, sent_at, delivered_at, read_at, failed_at, pricing, error)
    where messages.id = v.id`);
  await tx
    .update(messageStatusEvents)
    .set({ appliedAt: new Date() })
    .where(
      and(
        eq(messageStatusEvents.workspaceId, workspaceId),
        inArray(
          messageStatusEvents.wamid,
          locked.map((row) => row.wamid ?? ''),
        ),
        isNull(messageStatusEvents.appliedAt),
      ),
    );
  // Per-contact backoff for bulk sends: repeated 131026 holds a contact back, a delivery clears it.
  for (const { contactId, status, code } of backoff) {
    if (status === 'failed' && code === 131026) await noteUndeliverable(tx, workspaceId, contactId);
  }
  const delivered = backoff.filter(({ status }) => status === 'delivered' || status === 'read');
  await clearUndeliverable(
    tx,
    workspaceId,
    delivered.map(({ contactId }) => contactId),
  );
  return changes;
}
