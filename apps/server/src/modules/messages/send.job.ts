import { and, eq, getTableColumns, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { definePlatformJob, type Platform, perPlatform, type Sweeper } from '../../platform/context.js';
import { GroupCommit } from '../../platform/db/group-commit.js';
import { type SendingCredentials, sendingCredentials } from '../channels/channels.credentials.js';
import { contacts } from '../contacts/contacts.tables.js';
import { markChannelNeedsReauth } from './channel-health.js';
import { messageStatusChanged } from './messages.events.js';
import { type MessageError, type MessageRow, messageStatusEvents, messages } from './messages.tables.js';
import { coordinatorFor, releaseGateFor } from './pacing.js';
import { classifySendFailure } from './send.errors.js';
import { sendSettings } from './send.settings.js';
import { applyPendingStatuses } from './status-reconcile.js';

/**
 * The send worker. Order of work for one message: claim (queued → sending, attempt recorded, only when
 * due) → breaker, pair rate and number pacing in one reservation → Graph call → outcome stored. The claim is written
 * before the call, so a worker that dies mid-call leaves a `sending` row that is never sent again
 * blindly: a status webhook carrying our id (biz_opaque_callback_data) completes it, or after a grace
 * period it fails as "outcome unknown".
 */
const payload = z.object({ workspaceId: z.string(), messageId: z.string() });

export const sendMessageJob = definePlatformJob({
  name: 'messages.send',
  payload,
  // Retries are ours (by failure class, with jitter), not the queue's.
  retry: { attempts: 1, backoff: { type: 'fixed', delayMs: 0 } },
  concurrency: 200,
  handle: (job, ctx) => deliver(ctx.deps, job.workspaceId, job.messageId),
});

async function later(platform: Platform, message: MessageRow, delayMs: number, tag: string): Promise<void> {
  await platform.jobs.enqueue(
    sendMessageJob,
    { workspaceId: message.workspaceId, messageId: message.id },
    { jobId: `${message.id}-${tag}-${Date.now()}`, delayMs: Math.max(1, Math.ceil(delayMs)) },
  );
}

// Credentials of a channel for a few seconds: the hot path should not re-read them for every message.
const credentialCache = perPlatform(() => new Map<string, { at: number; value: SendingCredentials }>());
async function cachedCredentials(platform: Platform, workspaceId: string, channelId: string) {
  const cache = credentialCache(platform);
  const key = `${workspaceId}/${channelId}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < 5_000) return hit.value;
  const value = await sendingCredentials(platform, workspaceId, channelId);
  if (value.ok) cache.set(key, { at: Date.now(), value });
  else cache.delete(key);
  return value;
}

/** Forgets cached credentials (a 190 marked the channel; tests change channel state). */
export function forgetCredentials(platform: Platform): void {
  credentialCache(platform).clear();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const jitter = (ms: number) => ms + Math.random() * ms * 0.5;

interface Claim {
  workspaceId: string;
  messageId: string;
}
type Claimed = MessageRow & { waId: string | null; userId: string | null };

/**
 * Claims due queued messages (queued → sending, attempt counted) by group commit: the send jobs running
 * at once share one UPDATE. A message comes back only when it was queued, unsent and due.
 */
async function claimBatch(platform: Platform, batch: Claim[]): Promise<(Claimed | undefined)[]> {
  const rows = await platform.db
    .update(messages)
    .set({
      status: 'sending',
      sendAttempts: sql`${messages.sendAttempts} + 1`,
      sendStartedAt: new Date(),
      updatedAt: new Date(),
    })
    .where(
      and(
        inArray(
          messages.id,
          batch.map((claim) => claim.messageId),
        ),
        inArray(messages.workspaceId, [...new Set(batch.map((claim) => claim.workspaceId))]),
        eq(messages.direction, 'outbound'),
        eq(messages.status, 'queued'),
        isNull(messages.wamid),
        sql`coalesce((${messages.error}->>'retryAt')::timestamptz, now()) <= now()`,
      ),
    )
    .returning({
      ...getTableColumns(messages),
      waId: sql<
        string | null
      >`(select ${contacts.waId} from ${contacts} where ${contacts.workspaceId} = ${messages.workspaceId} and ${contacts.id} = ${messages.contactId})`,
      userId: sql<
        string | null
      >`(select ${contacts.userId} from ${contacts} where ${contacts.workspaceId} = ${messages.workspaceId} and ${contacts.id} = ${messages.contactId})`,
    });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return batch.map((claim) => {
    const row = byId.get(claim.messageId);
    return row?.workspaceId === claim.workspaceId ? row : undefined;
  });
}

interface Sent {
  workspaceId: string;
  messageId: string;
  wamid: string;
}

/** Stores the wamids Meta returned, by group commit; answers which of them already have statuses waiting. */
async function storeWamids(platform: Platform, batch: Sent[]): Promise<boolean[]> {
  const values = sql.join(
    batch.map((sent) => sql`(${sent.messageId}, ${sent.wamid})`),
    sql`, `,
  );
  await platform.db.execute(sql`
    update ${messages} set wamid = v.wamid, send_started_at = null, error = null, updated_at = now()
    from (values ${values}) as v(id, wamid)
    where ${messages.id} = v.id and ${messages.wamid} is null`);
  const waiting = await platform.db
    .selectDistinct({ wamid: messageStatusEvents.wamid })
    .from(messageStatusEvents)
    .where(
      and(
        inArray(messageStatusEvents.workspaceId, [...new Set(batch.map((sent) => sent.workspaceId))]),
        inArray(
          messageStatusEvents.wamid,
          batch.map((sent) => sent.wamid),
        ),
        isNull(messageStatusEvents.appliedAt),
      ),
    );
  const pending = new Set(waiting.map((row) => row.wamid));
  return batch.map((sent) => pending.has(sent.wamid));
}

// One claim writer and one wamid writer per platform.
const writersFor = perPlatform((platform) => ({
  claims: new GroupCommit<Claim, Claimed | undefined>((batch) => claimBatch(platform, batch), {
    maxBatch: 200,
  }),
  wamids: new GroupCommit<Sent, boolean>((batch) => storeWamids(platform, batch), {
    maxBatch: 200,
  }),
}));

export async function deliver(platform: Platform, workspaceId: string, messageId: string): Promise<void> {
  const settings = sendSettings(platform);
  const writer = writersFor(platform);
  // Claim first, so nothing but the pacing sleep lies between the slot and the Graph call.
  const claimed = await writer.claims.submit({ workspaceId, messageId });
  if (!claimed) return notClaimed(platform, workspaceId, messageId);
  const message: MessageRow = claimed;

  const credentials = await cachedCredentials(platform, workspaceId, message.channelId);
  if (!credentials.ok) {
    await markFailed(platform, message, {
      code: credentials.reason === 'needs_reauth' ? 190 : 0,
      reason: `The number cannot send (${credentials.reason.replace('_', ' ')})`,
    });
    return;
  }
  const recipient = claimed.waId ?? claimed.userId;
  if (!recipient) {
    await markFailed(platform, message, { code: 0, reason: 'The contact has no WhatsApp number' });
    return;
  }
  const { channel, accessToken } = credentials;
  const coordinator = coordinatorFor(platform);
  const numberKey = channel.phoneNumberId;
  const cap =
    settings.throughputByLevel[channel.throughputLevel ?? 'STANDARD'] ??
    settings.throughputByLevel.STANDARD ??
    80;
  const perSecond = cap * settings.throughputShare;
  const grant = await coordinator.acquire(
    numberKey,
    [
      {
        key: `pair:${numberKey}:${recipient}`,
        intervalUs: settings.pairIntervalMs * 1000,
        burst: settings.pairBurst,
      },
      { key: `number:${numberKey}`, intervalUs: 1_000_000 / perSecond, burst: 1 },
    ],
    settings.maxPaceWaitMs,
  );
  if (!grant.granted) {
    // Back to the queue until the slot (or the end of the breaker's pause) comes.
    await platform.db
      .update(messages)
      .set({ status: 'queued', sendAttempts: sql`${messages.sendAttempts} - 1`, sendStartedAt: null })
      .where(and(eq(messages.id, message.id), eq(messages.status, 'sending'), isNull(messages.wamid)));
    const delayMs = grant.reason === 'breaker' ? jitter(grant.retryInMs) : grant.retryInMs;
    return later(platform, message, delayMs, grant.reason);
  }
  if (grant.waitMs >= 1) await sleep(grant.waitMs);
  // Sends that woke late (a busy event loop) catch up at most halfway between the pace and the cap,
  // so they never bunch with on-time ones above the cap, even with some jitter on the way to Meta.
  await releaseGateFor(platform).pass(numberKey, 1000 / (cap * ((1 + settings.throughputShare) / 2)));

  const content = message.content as Record<string, unknown>;
  const to = claimed.waId ? { to: `+${claimed.waId}` } : { recipient: claimed.userId as string };
  let wamid: string;
  try {
    const response = await platform.graph.sendMessage({
      accessToken,
      phoneNumberId: channel.phoneNumberId,
      message: {
        ...to,
        type: message.type,
        ...content,
        ...(message.contextWamid && message.type !== 'reaction'
          ? { context: { message_id: message.contextWamid } }
          : {}),
        biz_opaque_callback_data: message.id,
      } as Parameters<Platform['graph']['sendMessage']>[0]['message'],
    });
    wamid = response.messages[0]?.id as string;
  } catch (error) {
    await handleFailure(platform, message, error, numberKey);
    return;
  }
  await settings.afterAccepted?.(message.id);
  if (message.error) await coordinator.breakerSuccess(numberKey);
  // Statuses that beat us here (webhook faster than this write) are applied now.
  if (await writer.wamids.submit({ workspaceId, messageId: message.id, wamid })) {
    const publishes = await platform.db.transaction((tx) =>
      applyPendingStatuses(tx, platform, workspaceId, wamid),
    );
    for (const publish of publishes) await publish();
  }
}

/** A message the claim did not take: already sent or failed, claimed by an attempt in flight, or not yet due. */
async function notClaimed(platform: Platform, workspaceId: string, messageId: string): Promise<void> {
  const [message] = await platform.db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, messageId)));
  if (message?.direction !== 'outbound' || message.wamid) return;
  if (message.status === 'sending') {
    const startedAt = message.sendStartedAt?.getTime() ?? 0;
    const dueAt = startedAt + sendSettings(platform).unknownOutcomeGraceMs;
    if (Date.now() < dueAt) return later(platform, message, dueAt - Date.now(), 'reconcile');
    await markFailed(platform, message, {
      code: 0,
      reason:
        'Meta did not confirm whether this message was sent (the send was interrupted); it was not re-sent to avoid a duplicate',
    });
    return;
  }
  const retryAt = message.error?.retryAt ? Date.parse(message.error.retryAt) : 0;
  if (message.status === 'queued' && retryAt > Date.now()) {
    return later(platform, message, retryAt - Date.now(), 'backoff');
  }
}

async function handleFailure(
  platform: Platform,
  message: MessageRow,
  error: unknown,
  numberKey: string,
): Promise<void> {
  const settings = sendSettings(platform);
  const coordinator = coordinatorFor(platform);
  const failure = classifySendFailure(error);
  if ((failure.kind === 'retry' || failure.kind === 'unknown') && failure.breaker) {
    const opened = await coordinator.breakerFailure(
      numberKey,
      settings.breakerThreshold,
      settings.breakerWindowMs,
      settings.breakerCooldownMs,
    );
    if (opened) platform.logger.warn({ channelId: message.channelId }, 'send circuit opened for number');
  }
  switch (failure.kind) {
    case 'retry': {
      if (message.sendAttempts >= settings.maxAttempts) {
        await markFailed(platform, message, {
          ...failure.error,
          reason: `${failure.error.reason} (gave up after ${message.sendAttempts} tries)`,
        });
        return;
      }
      const n = message.sendAttempts;
      const base = failure.pairRate
        ? 4 ** n * 1000 // Meta's advice for 131056: wait 4^n seconds
        : Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** (n - 1));
      const delay = jitter(Math.min(base, settings.backoffMaxMs));
      const retryAt = new Date(Date.now() + delay).toISOString();
      await platform.db
        .update(messages)
        .set({
          status: 'queued',
          sendStartedAt: null,
          error: { ...failure.error, retryAt },
          updatedAt: new Date(),
        })
        .where(eq(messages.id, message.id));
      await later(platform, message, delay, `retry${n}`);
      return;
    }
    case 'unknown':
      // Leave the claim in place: a webhook with our id may still complete it (see deliver()).
      await platform.db.update(messages).set({ error: failure.error }).where(eq(messages.id, message.id));
      await later(platform, message, sendSettings(platform).unknownOutcomeGraceMs, 'reconcile');
      return;
    case 'reauth':
      await markChannelNeedsReauth(platform, message.workspaceId, message.channelId, failure.error);
      forgetCredentials(platform);
      await markFailed(platform, message, failure.error);
      return;
    case 'permanent':
      await markFailed(platform, message, failure.error);
      return;
    default:
      return failure satisfies never;
  }
}

export async function markFailed(
  platform: Platform,
  message: MessageRow,
  error: MessageError,
): Promise<void> {
  const [row] = await platform.db
    .update(messages)
    .set({
      status: 'failed',
      statusRank: 9,
      failedAt: new Date(),
      error,
      sendStartedAt: null,
      updatedAt: new Date(),
    })
    .where(and(eq(messages.id, message.id), lt(messages.statusRank, 9)))
    .returning({ id: messages.id });
  if (!row) return;
  await platform.events
    .publish(messageStatusChanged, {
      workspaceId: message.workspaceId,
      conversationId: message.conversationId,
      messageId: message.id,
      status: 'failed',
    })
    .catch((err: unknown) => platform.logger.warn({ err }, 'event publish failed'));
}

/** Re-dispatches queued messages no queue holds (Redis lost, worker killed) and stuck claims. */
export const stalledSendsSweeper: Sweeper = {
  name: 'messages.stalled-sends',
  async sweep(platform) {
    const cutoff = new Date(Date.now() - platform.config.redispatchAfterSeconds * 1000);
    const claimCutoff = new Date(Date.now() - sendSettings(platform).unknownOutcomeGraceMs);
    const rows = await platform.db
      .select({ id: messages.id, workspaceId: messages.workspaceId })
      .from(messages)
      .where(
        and(
          eq(messages.direction, 'outbound'),
          isNull(messages.wamid),
          or(
            and(eq(messages.status, 'queued'), lt(messages.updatedAt, cutoff)),
            and(eq(messages.status, 'sending'), lt(messages.sendStartedAt, claimCutoff)),
          ),
          sql`coalesce((${messages.error}->>'retryAt')::timestamptz, now()) <= now()`,
        ),
      )
      .limit(1_000);
    for (const row of rows) {
      await platform.jobs.enqueue(
        sendMessageJob,
        { workspaceId: row.workspaceId, messageId: row.id },
        { jobId: row.id },
      );
    }
    return rows.length;
  },
};
