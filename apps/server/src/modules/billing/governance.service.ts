import { and, desc, eq, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { definePlatformJob, type Platform } from '../../platform/context.js';
import type { Executor } from '../../platform/db/client.js';
import { type Actor, systemActor } from '../../platform/http/auth.js';
import { notFound } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import { type GovernanceFlagRow, governanceFlags, governanceSettings } from './billing.tables.js';
import { noticeOwnersOfFlagJob } from './governance.notices.js';

/**
 * Template governance: every minute, each template sent on a number in the last hour is measured —
 * sends, unique recipients, opt-outs that followed it (a STOP or WhatsApp's marketing stop within 24 h
 * of the template), failures 131026 (undeliverable, which includes users who blocked the number) and
 * 131049 (Meta's marketing cap) — against the workspace's thresholds. A crossing raises one open flag
 * per reason, emails the Owners and, for marketing templates, pauses further sends of the template on
 * that number until a Manager reviews the flag.
 */
export interface GovernanceSettings {
  enabled: boolean;
  /** Opt-outs per 10,000 sends in the last hour above which a template is flagged (200 = 2%). */
  optOutRateBasisPoints: number;
  /** Failures 131026/131049 per 10,000 sends in the last hour. */
  failureRateBasisPoints: number;
  /** Sends in the hour before the rates count. */
  minSample: number;
  /** The last hour against the hourly average of the 24 hours before it. */
  volumeJumpFactor: number;
  /** Sends in the hour before a jump counts. */
  volumeMinSends: number;
}

export const governanceDefaults: GovernanceSettings = {
  enabled: true,
  optOutRateBasisPoints: 200,
  failureRateBasisPoints: 1000,
  minSample: 50,
  volumeJumpFactor: 10,
  volumeMinSends: 100,
};

const HOUR_MS = 3600_000;

export async function loadGovernanceSettings(db: Executor, workspaceId: string): Promise<GovernanceSettings> {
  const [row] = await db
    .select()
    .from(governanceSettings)
    .where(eq(governanceSettings.workspaceId, workspaceId));
  return {
    enabled: row?.enabled ?? governanceDefaults.enabled,
    optOutRateBasisPoints: row?.optOutRateBasisPoints ?? governanceDefaults.optOutRateBasisPoints,
    failureRateBasisPoints: row?.failureRateBasisPoints ?? governanceDefaults.failureRateBasisPoints,
    minSample: row?.minSample ?? governanceDefaults.minSample,
    volumeJumpFactor: row?.volumeJumpFactor ?? governanceDefaults.volumeJumpFactor,
    volumeMinSends: row?.volumeMinSends ?? governanceDefaults.volumeMinSends,
  };
}

export async function updateGovernanceSettings(
  platform: Platform,
  actor: Actor,
  workspaceId: string,
  changes: Partial<GovernanceSettings>,
): Promise<GovernanceSettings> {
  return platform.db.transaction(async (tx) => {
    const before = await loadGovernanceSettings(tx, workspaceId);
    await tx
      .insert(governanceSettings)
      .values({ workspaceId, ...changes })
      .onConflictDoUpdate({
        target: governanceSettings.workspaceId,
        set: { ...changes, updatedAt: new Date() },
      });
    const after = await loadGovernanceSettings(tx, workspaceId);
    await recordAudit(tx, actor, {
      workspaceId,
      action: 'governance.settings_updated',
      resourceType: 'governance_settings',
      resourceId: workspaceId,
      before: { ...before },
      after: { ...after },
    });
    return after;
  });
}

/** The open flag that pauses marketing sends of a template on a number, if any. */
export async function pausingFlag(
  db: Executor,
  workspaceId: string,
  channelId: string,
  templateName: string,
): Promise<GovernanceFlagRow | null> {
  const [flag] = await db
    .select()
    .from(governanceFlags)
    .where(
      and(
        eq(governanceFlags.workspaceId, workspaceId),
        eq(governanceFlags.channelId, channelId),
        eq(governanceFlags.templateName, templateName),
        eq(governanceFlags.state, 'open'),
        eq(governanceFlags.paused, true),
      ),
    )
    .limit(1);
  return flag ?? null;
}

export interface TemplateVelocity {
  workspaceId: string;
  channelId: string;
  templateName: string;
  marketing: boolean;
  sendsLastMinute: number;
  sendsLastHour: number;
  uniqueRecipientsLastHour: number;
  optOutsLastHour: number;
  failuresLastHour: number;
  /** Average sends per hour over the 24 hours before the last one. */
  hourlyBaseline: number;
}

/** Velocity and outcome rates of every template sent in the last hour (optionally one workspace's). */
export async function templateVelocity(
  db: Executor,
  now: Date,
  workspaceId?: string,
): Promise<TemplateVelocity[]> {
  const hourAgo = new Date(now.getTime() - HOUR_MS);
  const minuteAgo = new Date(now.getTime() - 60_000);
  const dayBefore = new Date(hourAgo.getTime() - 24 * HOUR_MS);
  const iso = (date: Date) => date.toISOString();
  // Both drivers (node-postgres, PGlite) answer raw SQL with `{ rows }`.
  const { rows } = (await db.execute(sql`
    with recent as (
      select workspace_id, channel_id, template_name
      from billing_template_sends
      where created_at > ${iso(hourAgo)}::timestamptz
        ${workspaceId ? sql`and workspace_id = ${workspaceId}` : sql``}
      group by 1, 2, 3
    )
    select r.workspace_id, r.channel_id, r.template_name,
      bool_or(s.template_category = 'MARKETING') as marketing,
      count(*) filter (where s.created_at > ${iso(minuteAgo)}::timestamptz)::int as sends_last_minute,
      count(*) filter (where s.created_at > ${iso(hourAgo)}::timestamptz)::int as sends_last_hour,
      count(distinct s.contact_id) filter (where s.created_at > ${iso(hourAgo)}::timestamptz)::int as unique_last_hour,
      count(*) filter (where s.created_at > ${iso(hourAgo)}::timestamptz and s.error_code in (131026, 131049))::int
        as failures_last_hour,
      count(*) filter (where s.created_at > ${iso(hourAgo)}::timestamptz and exists (
        select 1 from contact_opt_events e
        where e.workspace_id = s.workspace_id and e.contact_id = s.contact_id
          and e.change in ('opt_out', 'marketing_opt_out')
          -- Meta's timestamps have whole seconds: a STOP in the same second as the send counts.
          and e.occurred_at >= date_trunc('second', s.created_at)
          and e.occurred_at < s.created_at + interval '24 hours'))::int
        as opt_outs_last_hour,
      count(*) filter (where s.created_at <= ${iso(hourAgo)}::timestamptz)::int as sends_day_before
    from recent r
    join billing_template_sends s
      on s.workspace_id = r.workspace_id and s.channel_id = r.channel_id and s.template_name = r.template_name
      and s.created_at > ${iso(dayBefore)}::timestamptz
    group by 1, 2, 3`)) as unknown as { rows: Record<string, unknown>[] };
  return rows.map((row) => ({
    workspaceId: String(row.workspace_id),
    channelId: String(row.channel_id),
    templateName: String(row.template_name),
    marketing: Boolean(row.marketing),
    sendsLastMinute: Number(row.sends_last_minute),
    sendsLastHour: Number(row.sends_last_hour),
    uniqueRecipientsLastHour: Number(row.unique_last_hour),
    optOutsLastHour: Number(row.opt_outs_last_hour),
    failuresLastHour: Number(row.failures_last_hour),
    hourlyBaseline: Number(row.sends_day_before) / 24,
  }));
}

type Crossing = { reason: GovernanceFlagRow['reason']; metrics: Record<string, number> };

/** Which thresholds a template's last hour crosses. */
export function crossings(v: TemplateVelocity, settings: GovernanceSettings): Crossing[] {
  if (!settings.enabled) return [];
  const found: Crossing[] = [];
  const rate = (n: number) => Math.round((n * 10_000) / Math.max(1, v.sendsLastHour));
  if (v.sendsLastHour >= settings.minSample) {
    if (rate(v.optOutsLastHour) > settings.optOutRateBasisPoints) {
      found.push({
        reason: 'opt_out_rate',
        metrics: {
          sends: v.sendsLastHour,
          optOuts: v.optOutsLastHour,
          rateBasisPoints: rate(v.optOutsLastHour),
        },
      });
    }
    if (rate(v.failuresLastHour) > settings.failureRateBasisPoints) {
      found.push({
        reason: 'failure_rate',
        metrics: {
          sends: v.sendsLastHour,
          failures: v.failuresLastHour,
          rateBasisPoints: rate(v.failuresLastHour),
        },
      });
    }
  }
  // A jump needs history: a template's first hour is judged by its rates, not its volume.
  if (
    v.hourlyBaseline > 0 &&
    v.sendsLastHour >= settings.volumeMinSends &&
    v.sendsLastHour >= settings.volumeJumpFactor * v.hourlyBaseline
  ) {
    found.push({
      reason: 'volume_jump',
      metrics: { sends: v.sendsLastHour, hourlyBaseline: Math.round(v.hourlyBaseline * 100) / 100 },
    });
  }
  return found;
}

/** Measures every recently sent template and raises flags; returns the flags raised. */
export async function evaluateGovernance(platform: Platform, now = new Date()): Promise<GovernanceFlagRow[]> {
  const raised: GovernanceFlagRow[] = [];
  const settingsOf = new Map<string, GovernanceSettings>();
  for (const velocity of await templateVelocity(platform.db, now)) {
    let settings = settingsOf.get(velocity.workspaceId);
    if (!settings) {
      settings = await loadGovernanceSettings(platform.db, velocity.workspaceId);
      settingsOf.set(velocity.workspaceId, settings);
    }
    for (const crossing of crossings(velocity, settings)) {
      const flag = await raiseFlag(platform, velocity, crossing);
      if (flag) raised.push(flag);
    }
  }
  return raised;
}

async function raiseFlag(platform: Platform, v: TemplateVelocity, crossing: Crossing) {
  const flag = await platform.db.transaction(async (tx) => {
    // One open flag per reason; a reviewed one may be raised again only by a fresh hour of sends.
    const [recent] = await tx
      .select({ id: governanceFlags.id })
      .from(governanceFlags)
      .where(
        and(
          eq(governanceFlags.workspaceId, v.workspaceId),
          eq(governanceFlags.channelId, v.channelId),
          eq(governanceFlags.templateName, v.templateName),
          eq(governanceFlags.reason, crossing.reason),
          eq(governanceFlags.state, 'reviewed'),
          gt(governanceFlags.reviewedAt, new Date(Date.now() - HOUR_MS)),
        ),
      )
      .limit(1);
    if (recent) return null;
    const [row] = await tx
      .insert(governanceFlags)
      .values({
        id: newId('governanceFlag'),
        workspaceId: v.workspaceId,
        channelId: v.channelId,
        templateName: v.templateName,
        reason: crossing.reason,
        metrics: crossing.metrics,
        paused: v.marketing,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) return null;
    await recordAudit(tx, systemActor('governance'), {
      workspaceId: v.workspaceId,
      action: 'governance.flag_raised',
      resourceType: 'governance_flag',
      resourceId: row.id,
      after: {
        channelId: row.channelId,
        template: row.templateName,
        reason: row.reason,
        paused: row.paused,
        ...row.metrics,
      },
    });
    return row;
  });
  if (flag)
    await platform.jobs.enqueue(
      noticeOwnersOfFlagJob,
      { workspaceId: flag.workspaceId, flagId: flag.id },
      { jobId: `flag-${flag.id}` },
    );
  return flag;
}

export async function listFlags(db: Executor, workspaceId: string, state?: 'open' | 'reviewed') {
  return db
    .select()
    .from(governanceFlags)
    .where(
      and(eq(governanceFlags.workspaceId, workspaceId), state ? eq(governanceFlags.state, state) : undefined),
    )
    .orderBy(desc(governanceFlags.raisedAt))
    .limit(500);
}

/** A Manager's review: the flag closes and, if it paused the template, sends resume. */
export async function reviewFlag(
  platform: Platform,
  actor: Actor,
  workspaceId: string,
  flagId: string,
  input: { note: string; reviewerId: string | null },
): Promise<GovernanceFlagRow> {
  return platform.db.transaction(async (tx) => {
    const [row] = await tx
      .update(governanceFlags)
      .set({
        state: 'reviewed',
        reviewedAt: new Date(),
        reviewedBy: input.reviewerId,
        reviewNote: input.note,
      })
      .where(
        and(
          eq(governanceFlags.workspaceId, workspaceId),
          eq(governanceFlags.id, flagId),
          eq(governanceFlags.state, 'open'),
        ),
      )
      .returning();
    if (!row) throw notFound('Open flag');
    await recordAudit(tx, actor, {
      workspaceId,
      action: 'governance.flag_reviewed',
      resourceType: 'governance_flag',
      resourceId: row.id,
      before: { state: 'open', paused: row.paused },
      after: { state: 'reviewed', note: input.note, template: row.templateName, reason: row.reason },
    });
    return row;
  });
}

export const evaluateGovernanceJob = definePlatformJob({
  name: 'billing.governance.evaluate',
  payload: z.object({}),
  retry: { attempts: 1, backoff: { type: 'fixed', delayMs: 0 } },
  concurrency: 1,
  async handle(_payload, ctx) {
    await evaluateGovernance(ctx.deps);
  },
});
