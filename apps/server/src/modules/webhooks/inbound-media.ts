import { createHash } from 'node:crypto';
import { GraphError } from '@openwaba/cloud-api';
import { and, eq, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { definePlatformJob, type Platform, type Sweeper } from '../../platform/context.js';
import { sendingCredentials } from '../channels/channels.credentials.js';
import { type MessageMedia, messages } from '../messages/messages.tables.js';

/**
 * Copies an inbound message's media from Meta into the platform's media store. Meta's media URLs expire
 * (minutes) and the media itself after 30 days, so it is fetched at once, retried with backoff, and a
 * final failure is written on the message (it never blocks the message itself).
 */
export const fetchInboundMediaJob = definePlatformJob({
  name: 'webhooks.fetchMedia',
  payload: z.object({ workspaceId: z.string(), messageId: z.string() }),
  retry: { attempts: 6, backoff: { type: 'exponential', delayMs: 2_000 } },
  concurrency: 4,
  async handle({ workspaceId, messageId }, ctx) {
    const platform = ctx.deps;
    const [message] = await platform.db
      .select({ id: messages.id, channelId: messages.channelId, media: messages.media })
      .from(messages)
      .where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, messageId)));
    const media = message?.media;
    if (!message || !media || media.state === 'stored' || !media.metaMediaId) return;
    try {
      const credentials = await sendingCredentials(platform, workspaceId, message.channelId);
      if (!credentials.ok)
        throw new MediaFetchRefused(`channel is ${credentials.status ?? credentials.reason}`);
      const object = await platform.graph.getMedia({
        accessToken: credentials.accessToken,
        mediaId: media.metaMediaId,
        phoneNumberId: credentials.channel.phoneNumberId,
      });
      const file = await platform.graph.downloadMedia({
        accessToken: credentials.accessToken,
        url: object.url,
      });
      const digest = createHash('sha256').update(file.data).digest();
      const expected = object.sha256 ?? media.sha256;
      if (expected && expected !== digest.toString('hex') && expected !== digest.toString('base64')) {
        throw new Error('downloaded media does not match its sha256');
      }
      const storageKey = `${workspaceId}/inbound/${message.id}`;
      await platform.media.put(storageKey, file.data);
      await setMedia(platform, workspaceId, message.id, {
        ...media,
        state: 'stored',
        storageKey,
        mimeType: media.mimeType ?? object.mime_type,
        error: undefined,
      });
    } catch (error) {
      const final = ctx.run.isFinalAttempt || error instanceof MediaFetchRefused || !isRetryable(error);
      const reason = error instanceof Error ? error.message : String(error);
      await setMedia(platform, workspaceId, message.id, {
        ...media,
        state: final ? 'failed' : 'pending',
        error: reason,
      });
      if (!final) throw error;
      ctx.run.logger.warn({ messageId, reason }, 'inbound media could not be fetched');
    }
  },
});

class MediaFetchRefused extends Error {}

function isRetryable(error: unknown): boolean {
  return error instanceof GraphError ? error.retryable : true;
}

async function setMedia(platform: Platform, workspaceId: string, messageId: string, media: MessageMedia) {
  await platform.db
    .update(messages)
    .set({ media, updatedAt: new Date() })
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, messageId)));
}

export const stalledMediaSweeper: Sweeper = {
  name: 'webhooks.stalledMedia',
  async sweep(platform) {
    const rows = await platform.db
      .select({ id: messages.id, workspaceId: messages.workspaceId })
      .from(messages)
      .where(
        and(
          sql`${messages.media}->>'state' = 'pending'`,
          eq(messages.direction, 'inbound'),
          lt(messages.createdAt, new Date(Date.now() - 2 * platform.config.redispatchAfterSeconds * 1000)),
        ),
      )
      .limit(500);
    for (const row of rows) {
      await platform.jobs.enqueue(
        fetchInboundMediaJob,
        { workspaceId: row.workspaceId, messageId: row.id },
        { jobId: `media-${row.id}` },
      );
    }
    return rows.length;
  },
};
