import { z } from 'zod';
import type { HttpApp, Platform } from '../../platform/context.js';
import { standardErrors } from '../../platform/http/errors.js';
import { requirePermission, workspaceAccess } from '../../platform/http/tenant.js';
import { recordAudit } from '../audit/audit.service.js';
import {
  flagView,
  governanceSettingsSchema,
  moneyOf,
  pageQuery,
  rangeQuery,
  toFlagView,
  toUsageEntry,
  toWalletView,
  usageEntry,
  usageQuery,
  usageReply,
  velocityView,
  walletEntry,
  walletView,
  workspaceParams,
} from './billing.schemas.js';
import { exportUsageCsv, listUsageEntries, usageReport } from './billing.usage.js';
import { findWallet, listWalletEntries } from './billing.wallet.js';
import {
  listFlags,
  loadGovernanceSettings,
  reviewFlag,
  templateVelocity,
  updateGovernanceSettings,
} from './governance.service.js';

const tags = ['billing'];
const base = '/api/v1/workspaces/:workspaceId/billing';

/** Usage, wallet and template governance of one workspace. */
export function registerBillingRoutes(app: HttpApp, platform: Platform): void {
  app.get(
    `${base}/usage`,
    {
      ...requirePermission('billing.view'),
      schema: {
        tags,
        summary: 'Billable usage of a period from the ledger, per day, category, market or channel',
        params: workspaceParams,
        querystring: usageQuery,
        response: { 200: usageReply, ...standardErrors },
      },
    },
    async (request) => {
      const { workspaceId } = workspaceAccess(request);
      const report = await usageReport(platform.db, workspaceId, request.query);
      return {
        ...request.query,
        data: report.buckets.map(({ amountMicros, ...bucket }) => ({
          ...bucket,
          amount: moneyOf(amountMicros),
        })),
        totals: report.totals.map(({ amountMicros, ...total }) => ({
          ...total,
          amount: moneyOf(amountMicros),
        })),
      };
    },
  );

  app.get(
    `${base}/usage/entries`,
    {
      ...requirePermission('billing.view'),
      schema: {
        tags,
        summary: 'Ledger entries of a period, newest first (page with `before`)',
        params: workspaceParams,
        querystring: z.intersection(rangeQuery, pageQuery),
        response: {
          200: z.object({ data: z.array(usageEntry), nextBefore: z.string().nullable() }),
          ...standardErrors,
        },
      },
    },
    async (request) => {
      const { workspaceId } = workspaceAccess(request);
      const rows = await listUsageEntries(platform.db, workspaceId, request.query);
      return {
        data: rows.map(toUsageEntry),
        nextBefore: rows.length === request.query.limit ? (rows.at(-1)?.id ?? null) : null,
      };
    },
  );

  app.get(
    `${base}/usage/export`,
    {
      ...requirePermission('billing.view'),
      schema: {
        tags,
        summary: 'Ledger entries of a period as CSV (one row per billable event)',
        produces: ['text/csv'],
        params: workspaceParams,
        querystring: rangeQuery,
        response: { 200: z.string().describe('CSV with a header row'), ...standardErrors },
      },
    },
    async (request, reply) => {
      const access = workspaceAccess(request);
      const { workspaceId } = access;
      // Billing data leaving the platform: recorded before any row does, like the other exports.
      await recordAudit(platform.db, access.actor, {
        workspaceId,
        action: 'billing.usage_exported',
        resourceType: 'billing_usage',
        after: { from: request.query.from.toISOString(), to: request.query.to.toISOString() },
      });
      const stream = exportUsageCsv(platform.db, workspaceId, request.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="usage-${workspaceId}.csv"`)
        .send(stream as unknown as string);
    },
  );

  app.get(
    `${base}/wallet`,
    {
      ...requirePermission('billing.view'),
      schema: {
        tags,
        summary: 'The wallet: mode, balance, estimates held, available',
        params: workspaceParams,
        response: { 200: walletView, ...standardErrors },
      },
    },
    async (request) => {
      const { workspaceId } = workspaceAccess(request);
      return toWalletView(await findWallet(platform.db, workspaceId, platform.config.billing.currency));
    },
  );

  app.get(
    `${base}/wallet/entries`,
    {
      ...requirePermission('billing.view'),
      schema: {
        tags,
        summary: 'Every change of the wallet (top-ups, holds, releases, charges), newest first',
        params: workspaceParams,
        querystring: pageQuery,
        response: {
          200: z.object({ data: z.array(walletEntry), nextBefore: z.string().nullable() }),
          ...standardErrors,
        },
      },
    },
    async (request) => {
      const { workspaceId } = workspaceAccess(request);
      const rows = await listWalletEntries(platform.db, workspaceId, request.query);
      return {
        data: rows.map((row) => ({
          id: row.id,
          kind: row.kind,
          balanceDelta: moneyOf(row.balanceDeltaMicros),
          reservedDelta: moneyOf(row.reservedDeltaMicros),
          balanceAfter: moneyOf(row.balanceAfterMicros),
          reservedAfter: moneyOf(row.reservedAfterMicros),
          messageId: row.messageId,
          reference: row.reference,
          createdAt: row.createdAt,
        })),
        nextBefore: rows.length === request.query.limit ? (rows.at(-1)?.id ?? null) : null,
      };
    },
  );

  app.get(
    `${base}/governance/templates`,
    {
      ...requirePermission('billing.view'),
      schema: {
        tags,
        summary: 'Velocity and outcome rates of each template sent in the last hour, per number',
        params: workspaceParams,
        response: { 200: z.object({ data: z.array(velocityView) }), ...standardErrors },
      },
    },
    async (request) => {
      const { workspaceId } = workspaceAccess(request);
      const rows = await templateVelocity(platform.db, new Date(), workspaceId);
      return { data: rows.map(({ workspaceId: _ws, ...row }) => row) };
    },
  );

  app.get(
    `${base}/governance/flags`,
    {
      ...requirePermission('billing.view'),
      schema: {
        tags,
        summary: 'Templates flagged by governance thresholds, newest first',
        params: workspaceParams,
        querystring: z.object({ state: z.enum(['open', 'reviewed']).optional() }),
        response: { 200: z.object({ data: z.array(flagView) }), ...standardErrors },
      },
    },
    async (request) => {
      const { workspaceId } = workspaceAccess(request);
      return { data: (await listFlags(platform.db, workspaceId, request.query.state)).map(toFlagView) };
    },
  );

  app.post(
    `${base}/governance/flags/:flagId/review`,
    {
      ...requirePermission('templates.manage'),
      schema: {
        tags,
        summary: 'Reviews an open flag: it closes, and a paused template may be sent again',
        params: workspaceParams.extend({ flagId: z.string() }),
        body: z.object({ note: z.string().trim().min(1).max(1000) }),
        response: { 200: flagView, ...standardErrors },
      },
    },
    async (request) => {
      const access = workspaceAccess(request);
      const reviewerId =
        access.principal.kind === 'user' ? access.principal.userId : access.principal.apiKeyId;
      const row = await reviewFlag(platform, access.actor, access.workspaceId, request.params.flagId, {
        note: request.body.note,
        reviewerId,
      });
      return toFlagView(row);
    },
  );

  app.get(
    `${base}/governance/settings`,
    {
      ...requirePermission('billing.view'),
      schema: {
        tags,
        summary: 'Governance thresholds in force (defaults where not set)',
        params: workspaceParams,
        response: { 200: governanceSettingsSchema, ...standardErrors },
      },
    },
    async (request) => loadGovernanceSettings(platform.db, workspaceAccess(request).workspaceId),
  );

  app.patch(
    `${base}/governance/settings`,
    {
      ...requirePermission('templates.manage'),
      schema: {
        tags,
        summary: 'Changes governance thresholds',
        params: workspaceParams,
        body: governanceSettingsSchema.partial(),
        response: { 200: governanceSettingsSchema, ...standardErrors },
      },
    },
    async (request) => {
      const access = workspaceAccess(request);
      return updateGovernanceSettings(platform, access.actor, access.workspaceId, request.body);
    },
  );
}
