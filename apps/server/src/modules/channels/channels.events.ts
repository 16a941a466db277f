import { z } from 'zod';
import { defineTopic } from '../../platform/events/event-bus.js';

/**
 * Meta rejected a WABA's token (Graph code 190): its channels stop sending and syncing until an Owner or
 * Manager reconnects. Subscribers tell the workspace's owners (realtime banner, email).
 */
export const channelNeedsReauth = defineTopic(
  'channel.needs_reauth',
  z.object({
    workspaceId: z.string(),
    wabaId: z.string(),
    channelIds: z.array(z.string()),
    code: z.number().optional(),
    reason: z.string(),
  }),
);

/** A channel was connected, disconnected, or its health (quality, tier, throughput, names) changed. */
export const channelChanged = defineTopic(
  'channel.changed',
  z.object({
    workspaceId: z.string(),
    channelId: z.string(),
    status: z.string(),
    change: z.enum(['connected', 'disconnected', 'health', 'onboarding_failed']),
  }),
);
