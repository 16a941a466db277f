import { and, eq, type Placeholder, sql } from 'drizzle-orm';
import type { Platform } from '../../platform/context.js';
import { type Database, preparedStatement, type Transaction } from '../../platform/db/client.js';
import type { Actor } from '../../platform/http/auth.js';
import { requestFingerprint, runIdempotent } from '../../platform/http/idempotency.js';
import { newId } from '../../platform/ids.js';
import type { NewAuditRow } from '../audit/audit.repository.js';
import { auditRowOf } from '../audit/audit.service.js';
import { auditLog } from '../audit/audit.tables.js';
import { planTemplateSend, recordTemplateSend } from '../billing/billing.send.js';
import { conversationChanged, publishAfterCommit } from '../conversations/conversations.events.js';
import { ensureConversation } from '../conversations/conversations.inbound.js';
import { messageQueued } from './messages.events.js';
import type { MessageView, SendMessageBody } from './messages.schemas.js';
import { type MessageRow, messages } from './messages.tables.js';
import {
  checkOptOut,
  checkPlanLimit,
  checkTarget,
  checkTemplate,
  checkWindow,
  resolveWamid,
  type SendRefusal,
  toMetaContent,
} from './send.checks.js';
import { sendMessageJob } from './send.job.js';

/**
 * The one send path, for the API, the inbox and campaigns: every check, then the message stored
 * `queued` (with its audit row, in one transaction) and a job to send it.
 */
export interface SendMessageInput {
  workspaceId: string;
  actor: Actor;
  /** What to send, to whom, from which channel (the API's request body). */
  message: SendMessageBody;
  /** The same key again returns the first message and sends nothing more. */
  idempotencyKey?: string;
  /**
   * `bulk` (campaigns) also skips contacts held back for undeliverability; `opt_confirmation` is the
   * reply to a STOP/START keyword, the one message an opted-out contact may still get.
   */
  purpose?: 'conversation' | 'bulk' | 'opt_confirmation';
  /** A user, API key or campaign id recorded as the sender. */
  senderId?: string;
}

export type SendResult =
  | { ok: true; message: MessageRow; replayed: boolean }
  | { ok: false; refusal: SendRefusal };

export async function sendMessage(platform: Platform, input: SendMessageInput): Promise<SendResult> {
  if (!input.idempotencyKey) {
    const result = await checkAndQueue(platform, input);
    return result.ok ? { ...result, replayed: false } : result;
  }
  let refusal: SendRefusal | null = null;
  const outcome = await runIdempotent<{ messageId: string }>(
    platform.db,
    {
      workspaceId: input.workspaceId,
      key: `send:${input.idempotencyKey}`,
      fingerprint: requestFingerprint([input.message, input.purpose ?? 'conversation']),
    },
    async () => {
      const result = await checkAndQueue(platform, input);
      if (!result.ok) {
        refusal = result.refusal;
        throw new RefusedError();
      }
      return { statusCode: 201, body: { messageId: result.message.id } };
    },
  ).catch((error: unknown) => {
    if (error instanceof RefusedError) return null;
    throw error;
  });
  if (!outcome) return { ok: false, refusal: refusal as unknown as SendRefusal };
  const message = await findMessage(platform, input.workspaceId, outcome.result.body.messageId);
  if (!message) throw new Error('an idempotent send points at a missing message');
  return { ok: true, message, replayed: outcome.replayed };
}

class RefusedError extends Error {}

async function checkAndQueue(
  platform: Platform,
  input: SendMessageInput,
): Promise<{ ok: true; message: MessageRow } | { ok: false; refusal: SendRefusal }> {
  const { workspaceId, message: body } = input;
  // The plan limit first: a workspace flooding past its plan is refused for one Redis call, so it
  // cannot spend the database time other workspaces' sends need. Refused attempts count, as on any API.
  const limited = await checkPlanLimit(platform, workspaceId);
  if (limited) return { ok: false, refusal: limited };
  const target = await checkTarget(platform, workspaceId, body);
  if (!target.ok) return target;
  const { channel, contact, conversation: existing } = target.value;

  let template: Awaited<ReturnType<typeof checkTemplate>> | null = null;
  if (body.type === 'template') {
    template = await checkTemplate(platform, workspaceId, channel, body.template);
  }
  const marketing = template?.ok === true && template.value.template.category === 'MARKETING';
  const optOut = checkOptOut(contact, {
    marketing,
    bypass: input.purpose === 'opt_confirmation',
    bulk: input.purpose === 'bulk',
  });
  if (optOut) return { ok: false, refusal: optOut };
  if (body.type !== 'template') {
    const closed = checkWindow(existing);
    if (closed) return { ok: false, refusal: closed };
  }
  if (template && !template.ok) return template;

  let contextWamid: string | null = null;
  if (body.replyTo) {
    contextWamid = await resolveWamid(platform, workspaceId, body.replyTo);
    if (!contextWamid)
      return {
        ok: false,
        refusal: {
          code: 'reply_target_not_found',
          message: 'The message to reply to was not found (or has no wamid yet)',
        },
      };
  }
  let reactionWamid: string | undefined;
  if (body.type === 'reaction') {
    reactionWamid = (await resolveWamid(platform, workspaceId, body.reaction.messageId)) ?? undefined;
    if (!reactionWamid)
      return {
        ok: false,
        refusal: { code: 'reply_target_not_found', message: 'The message to react to was not found' },
      };
  }
  // Governance pause, messaging-limit tier and prepaid balance (billing module).
  const billing = await planTemplateSend(platform, {
    workspaceId,
    channel,
    contact,
    conversation: existing,
    template: template?.ok ? template.value.template : null,
  });
  if (!billing.ok) return billing;

  const { content, preview } = toMetaContent(body, {
    templateComponents: template?.ok ? template.value.components : undefined,
    templatePreview: template?.ok ? template.value.preview : undefined,
    reactionWamid,
  });
  const { type, ...typeContent } = content;
  const id = newId('message');
  const audit = auditRowOf(input.actor, {
    workspaceId,
    action: 'message.queued',
    resourceType: 'message',
    resourceId: id,
    after: {
      type,
      channelId: channel.id,
      contactId: contact.id,
      ...(body.type === 'template' ? { template: `${body.template.name}/${body.template.language}` } : {}),
      summary: summarise(preview),
      purpose: input.purpose ?? 'conversation',
    },
  });
  const store = (db: Parameters<typeof insertAudited>[0], conversationId: string) =>
    insertAudited(db, audit, {
      id,
      workspaceId,
      conversationId,
      channelId: channel.id,
      contactId: contact.id,
      direction: 'outbound',
      type,
      content: typeContent as Record<string, unknown>,
      preview: preview.slice(0, 500),
      status: 'queued',
      contextWamid,
      senderId: input.senderId ?? senderOf(input.actor),
      occurredAt: new Date(),
    });
  // The common case (a reply in an existing conversation, nothing billed) is one statement; otherwise
  // the conversation and the billing record commit together with the message.
  const { row, conversationCreated } =
    existing && !billing.value
      ? { row: await store({ database: platform.db }, existing.id), conversationCreated: false }
      : await platform.db.transaction(async (tx) => {
          const { row: conversation, created } = existing
            ? { row: existing, created: false }
            : await ensureConversation(tx, workspaceId, channel.id, contact.id);
          const inserted = await store({ transaction: tx }, conversation.id);
          if (billing.value) await recordTemplateSend(tx, billing.value, id);
          return { row: inserted, conversationCreated: created };
        });
  if (!row) throw new Error('message insert returned nothing');
  dispatchQueued(platform, input.actor, row, conversationCreated);
  return { ok: true, message: row };
}

/**
 * Hands a committed message to the send worker and tells the inbox, without making the caller wait:
 * the committed row is the promise. If Redis is slow or down, the answer is not held up (nor turned
 * into an error for a message that will go out), and the stalled-sends sweeper dispatches it later.
 */
function dispatchQueued(
  platform: Platform,
  actor: Actor,
  row: MessageRow,
  conversationCreated: boolean,
): void {
  // Until both have gone out, the job queue does not count as idle (tests wait on that).
  const release = platform.jobs.holdIdle();
  void Promise.all([
    platform.jobs
      .enqueue(sendMessageJob, { workspaceId: row.workspaceId, messageId: row.id }, { jobId: row.id })
      .catch((err: unknown) =>
        platform.logger.warn({ err, messageId: row.id }, 'send job not queued; the sweeper will dispatch it'),
      ),
    announceQueued(platform, actor, row, conversationCreated),
  ]).finally(release);
}

/**
 * Tells the inbox of a queued message. Realtime is best effort (the inbox re-reads PostgreSQL): a lost
 * event never fails a send.
 */
async function announceQueued(
  platform: Platform,
  actor: Actor,
  row: MessageRow,
  conversationCreated: boolean,
): Promise<void> {
  const { workspaceId, conversationId } = row;
  if (conversationCreated) {
    // The business wrote first: the inbox learns of the conversation before its first message.
    await publishAfterCommit(platform, () =>
      platform.events.publish(conversationChanged, {
        workspaceId,
        conversationId,
        change: 'created',
        assigneeId: null,
        actorUserId: actor.principal?.kind === 'user' ? actor.principal.userId : null,
      }),
    );
  }
  await publishAfterCommit(platform, () =>
    platform.events.publish(messageQueued, {
      workspaceId,
      conversationId,
      messageId: row.id,
      contactId: row.contactId,
    }),
  );
}

/** What a send writes: the message row and its audit row, always these columns. */
type QueuedMessage = Required<
  Pick<
    typeof messages.$inferInsert,
    | 'id'
    | 'workspaceId'
    | 'conversationId'
    | 'channelId'
    | 'contactId'
    | 'direction'
    | 'type'
    | 'content'
    | 'preview'
    | 'status'
    | 'contextWamid'
    | 'senderId'
    | 'occurredAt'
  >
>;
const MESSAGE_KEYS = [
  'id',
  'workspaceId',
  'conversationId',
  'channelId',
  'contactId',
  'direction',
  'type',
  'content',
  'preview',
  'status',
  'contextWamid',
  'senderId',
  'occurredAt',
] as const satisfies readonly (keyof QueuedMessage)[];
const AUDIT_KEYS = [
  'id',
  'workspaceId',
  'occurredAt',
  'actorType',
  'actorId',
  'actorLabel',
  'action',
  'resourceType',
  'resourceId',
  'before',
  'after',
  'ip',
  'userAgent',
  'requestId',
] as const satisfies readonly (keyof NewAuditRow)[];
/** Every audit column is written: a column added to the table and left out here fails to compile. */
const auditKeysComplete: Exclude<keyof NewAuditRow, (typeof AUDIT_KEYS)[number]> extends never
  ? true
  : never = true;
void auditKeysComplete;

const placeholders = <K extends string>(keys: readonly K[], prefix: string) =>
  Object.fromEntries(keys.map((key) => [key, sql.placeholder(`${prefix}${key}`)])) as Record<K, Placeholder>;

/**
 * The insert of a send, built and prepared once: building this CTE (two inserts, ~40 columns) with the
 * query builder took a tenth of the server's CPU per send. Placeholder values still go through each
 * column's driver mapping (JSON, times).
 */
const insertQueued = preparedStatement((db) => {
  const inserted = db.$with('inserted').as(
    db
      .insert(messages)
      .values(placeholders(MESSAGE_KEYS, 'm_') as unknown as typeof messages.$inferInsert)
      .returning(),
  );
  const audited = db
    .$with('audited')
    .as(db.insert(auditLog).values(placeholders(AUDIT_KEYS, 'a_') as unknown as NewAuditRow));
  return db.with(inserted, audited).select().from(inserted).prepare('send_insert_queued');
});

/**
 * Inserts a message and its audit row in one statement (a data-modifying CTE): both or neither. On the
 * database itself the prepared statement runs; inside a transaction, the same statement is built.
 */
async function insertAudited(
  db: { database: Database } | { transaction: Transaction },
  audit: NewAuditRow,
  message: QueuedMessage,
): Promise<MessageRow | undefined> {
  if ('database' in db) {
    const values: Record<string, unknown> = {};
    for (const key of MESSAGE_KEYS) values[`m_${key}`] = message[key];
    for (const key of AUDIT_KEYS) values[`a_${key}`] = audit[key];
    const [row] = await insertQueued(db.database).execute(values);
    return row;
  }
  const tx = db.transaction;
  const inserted = tx.$with('inserted').as(tx.insert(messages).values(message).returning());
  const audited = tx.$with('audited').as(tx.insert(auditLog).values(audit));
  const [row] = await tx.with(inserted, audited).select().from(inserted);
  return row;
}

/** A short summary for the audit trail: enough to recognise the message, never the full content. */
function summarise(preview: string): string {
  const flat = preview.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}

function senderOf(actor: Actor): string | null {
  if (actor.principal?.kind === 'user') return actor.principal.userId;
  if (actor.principal?.kind === 'api_key') return actor.principal.apiKeyId;
  return actor.system ?? null;
}

export async function findMessage(platform: Platform, workspaceId: string, messageId: string) {
  const [row] = await platform.db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, messageId)));
  return row;
}

export function toMessageView(row: MessageRow): MessageView {
  return {
    id: row.id,
    channelId: row.channelId,
    contactId: row.contactId,
    conversationId: row.conversationId,
    direction: row.direction,
    type: row.type,
    status: row.status,
    wamid: row.wamid,
    preview: row.preview,
    error: row.error ? { code: row.error.code, reason: row.error.reason, details: row.error.details } : null,
    createdAt: row.createdAt.toISOString(),
  };
}
