import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { definePlatformJob } from '../../platform/context.js';
import { users } from '../identity/identity.tables.js';
import { workspaceMembers, workspaces } from '../workspaces/workspaces.tables.js';

/**
 * Tells a workspace's Owners by email that Meta rejected a WABA's token: messages stop until someone
 * reconnects, so this must not wait for somebody to open the app. A job, so it is sent once even when
 * several processes see the change.
 */
export const noticeOwnersOfReauthJob = definePlatformJob({
  name: 'channels.noticeOwners',
  payload: z.object({ workspaceId: z.string(), wabaId: z.string(), reason: z.string() }),
  retry: { attempts: 5, backoff: { type: 'exponential', delayMs: 30_000 } },
  concurrency: 2,
  async handle({ workspaceId, reason }, ctx) {
    const platform = ctx.deps;
    const owners = await platform.db
      .select({ email: users.email, workspace: workspaces.name })
      .from(workspaceMembers)
      .innerJoin(users, eq(users.id, workspaceMembers.userId))
      .innerJoin(workspaces, eq(workspaces.id, workspaceMembers.workspaceId))
      .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.role, 'owner')));
    const link = `${platform.config.http.publicUrl}/channels`;
    for (const owner of owners) {
      await platform.mailer.send({
        kind: 'channel_needs_reauth',
        to: owner.email,
        subject: `WhatsApp is disconnected for ${owner.workspace}: reconnect to keep sending`,
        text:
          `Meta no longer accepts the access token of your WhatsApp Business Account (${reason}). ` +
          `Messages to and from your customers are paused until an Owner or Manager reconnects it: ${link}`,
        link,
      });
    }
  },
});
