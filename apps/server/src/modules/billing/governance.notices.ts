import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { definePlatformJob } from '../../platform/context.js';
import { users } from '../identity/identity.tables.js';
import { workspaceMembers, workspaces } from '../workspaces/workspaces.tables.js';
import { governanceFlags } from './billing.tables.js';

/** Emails the Owners about a flag; a job, so it goes once however many processes evaluate. */
export const noticeOwnersOfFlagJob = definePlatformJob({
  name: 'billing.governance.notice',
  payload: z.object({ workspaceId: z.string(), flagId: z.string() }),
  retry: { attempts: 5, backoff: { type: 'exponential', delayMs: 30_000 } },
  concurrency: 2,
  async handle({ workspaceId, flagId }, ctx) {
    const platform = ctx.deps;
    const [flag] = await platform.db
      .select()
      .from(governanceFlags)
      .where(and(eq(governanceFlags.workspaceId, workspaceId), eq(governanceFlags.id, flagId)));
    if (!flag) return;
    const owners = await platform.db
      .select({ email: users.email, workspace: workspaces.name })
      .from(workspaceMembers)
      .innerJoin(users, eq(users.id, workspaceMembers.userId))
      .innerJoin(workspaces, eq(workspaces.id, workspaceMembers.workspaceId))
      .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.role, 'owner')));
    const link = `${platform.config.http.publicUrl}/billing/governance`;
    const why = flag.reason.replace(/_/g, ' ');
    for (const owner of owners) {
      await platform.mailer.send({
        kind: 'template_flagged',
        to: owner.email,
        subject: `Template "${flag.templateName}" flagged for ${why} in ${owner.workspace}`,
        text:
          `The template "${flag.templateName}" crossed the ${why} threshold (${JSON.stringify(flag.metrics)}). ` +
          (flag.paused
            ? 'Its marketing sends on this number are paused until an Owner or Manager reviews the flag: '
            : 'Review the flag: ') +
          link,
        link,
      });
    }
  },
});
