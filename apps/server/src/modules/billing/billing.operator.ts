import { z } from 'zod';
import type { HttpApp, Platform } from '../../platform/context.js';
import { AppError, notFound, standardErrors } from '../../platform/http/errors.js';
import { operatorActor, operatorGuard } from '../../platform/http/operator.js';
import { findWorkspace } from '../workspaces/workspaces.repository.js';
import { decimalToMicros, listRates, loadRateCard } from './billing.rates.js';
import { decimalAmount, moneyOf, toWalletView, walletView } from './billing.schemas.js';
import { configureWallet, creditWallet } from './billing.wallet.js';

const rateView = z.object({
  id: z.string(),
  card: z.string(),
  category: z.string(),
  market: z.string(),
  currency: z.string(),
  price: z.object({ micros: z.number(), decimal: z.string() }),
  effectiveFrom: z.date(),
  effectiveTo: z.date().nullable(),
  example: z.boolean(),
});

/** The operator's billing tools: rate cards, wallet mode and top-ups. */
export function registerBillingOperatorRoutes(app: HttpApp, platform: Platform): void {
  const guard = operatorGuard(platform.config);
  const security = [{ operator: [] }];
  const tags = ['operator'];
  const workspaceOf = async (workspaceId: string) => {
    if (!(await findWorkspace(platform.db, workspaceId))) throw notFound('Workspace');
    return workspaceId;
  };

  app.post(
    '/api/v1/operator/billing/rate-cards',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Loads a rate card from CSV (category,market,currency,price,effective_from,effective_to)',
        security,
        body: z.object({ csv: z.string().min(1).max(2_000_000) }),
        response: { 201: z.object({ card: z.string(), rates: z.number() }), ...standardErrors },
      },
    },
    async (request, reply) => {
      const loaded = await loadRateCard(platform.db, operatorActor(request), request.body.csv);
      return reply.code(201).send(loaded);
    },
  );

  app.get(
    '/api/v1/operator/billing/rates',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Rate card rows (those in force at `at`, or all)',
        security,
        querystring: z.object({ at: z.coerce.date().optional() }),
        response: { 200: z.object({ data: z.array(rateView) }), ...standardErrors },
      },
    },
    async (request) => ({
      data: (await listRates(platform.db, request.query.at)).map(
        ({ priceMicros, createdAt: _c, ...row }) => ({
          ...row,
          price: moneyOf(priceMicros),
        }),
      ),
    }),
  );

  app.put(
    '/api/v1/operator/billing/workspaces/:workspaceId/wallet',
    {
      ...guard,
      schema: {
        tags,
        summary: "Sets a workspace's wallet mode (prepaid or postpaid) and currency",
        security,
        params: z.object({ workspaceId: z.string() }),
        body: z.object({
          mode: z.enum(['prepaid', 'postpaid']),
          currency: z
            .string()
            .regex(/^[A-Z]{3}$/)
            .optional(),
        }),
        response: { 200: walletView, ...standardErrors },
      },
    },
    async (request) => {
      const workspaceId = await workspaceOf(request.params.workspaceId);
      return toWalletView(await configureWallet(platform, operatorActor(request), workspaceId, request.body));
    },
  );

  app.post(
    '/api/v1/operator/billing/workspaces/:workspaceId/wallet/credits',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Records a top-up (payment received) or an adjustment of a workspace wallet',
        security,
        params: z.object({ workspaceId: z.string() }),
        body: z.object({
          kind: z.enum(['top_up', 'adjustment']).default('top_up'),
          amount: decimalAmount,
          reference: z.string().trim().min(1).max(200),
        }),
        response: { 201: walletView, ...standardErrors },
      },
    },
    async (request, reply) => {
      const workspaceId = await workspaceOf(request.params.workspaceId);
      const { kind, amount, reference } = request.body;
      const magnitude = decimalToMicros(amount.replace(/^-/, '')) ?? 0;
      const amountMicros = amount.startsWith('-') ? -magnitude : magnitude;
      if (kind === 'top_up' && amountMicros <= 0) {
        throw new AppError('validation_failed', 'A top-up must be positive', [
          { path: 'amount', message: 'must be greater than zero' },
        ]);
      }
      const wallet = await creditWallet(platform, operatorActor(request), workspaceId, {
        kind,
        amountMicros,
        reference,
      });
      return reply.code(201).send(toWalletView(wallet));
    },
  );
}
