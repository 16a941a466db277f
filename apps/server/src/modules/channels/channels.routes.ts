import type { HttpApp, Platform } from '../../platform/context.js';
import { actorOf, requireUser } from '../../platform/http/auth.js';
import { notFound, standardErrors } from '../../platform/http/errors.js';
import { requirePermission, workspaceAccess } from '../../platform/http/tenant.js';
import { findChannel, findOnboarding, listChannels, type OnboardingRow } from './channels.repository.js';
import * as schemas from './channels.schemas.js';
import { channelView, disconnectChannel, syncChannelNow } from './channels.service.js';
import { type OnboardingOutcome, retryOnboarding, startOnboarding } from './onboarding.service.js';

const tags = ['channels'];
const base = '/api/v1/workspaces/:workspaceId/channels';

function onboardingView(row: OnboardingRow) {
  return {
    id: row.id,
    method: row.method,
    state: row.state,
    step: row.step,
    completed: row.completed as Record<string, string>,
    lastError: row.lastError ?? null,
    wabaExternalId: row.wabaExternalId,
    phoneNumberId: row.phoneNumberId,
    channelId: row.channelId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const outcomeView = (outcome: OnboardingOutcome) => ({
  onboarding: onboardingView(outcome.onboarding),
  channel: outcome.channel ? channelView(outcome.channel) : null,
});

/**
 * Connecting numbers (Embedded Signup or a system-user token), their health, sync and disconnect.
 * A connect answers 201 with the onboarding's state: `done`, or `failed` at a step with Meta's error,
 * to be resumed with the retry route.
 */
export function registerChannelRoutes(app: HttpApp, platform: Platform): void {
  const db = platform.db;
  const onboardingReplies = { 201: schemas.onboardingReply, ...standardErrors };

  app.get(
    '/api/v1/embedded-signup/config',
    {
      ...requireUser(),
      schema: {
        tags,
        summary: 'What the browser needs to start Embedded Signup (app id, config id, Graph version)',
        response: { 200: schemas.embeddedSignupConfigReply, ...standardErrors },
      },
    },
    async () => ({
      enabled: Boolean(platform.config.meta.appId),
      appId: platform.config.meta.appId ?? null,
      configId: platform.config.meta.configId ?? null,
      graphVersion: platform.config.meta.graphVersion,
    }),
  );

  app.get(
    base,
    {
      ...requirePermission('channels.view'),
      schema: {
        tags,
        summary: 'Connected numbers with quality rating, limit tier, throughput and status',
        params: schemas.workspaceParams,
        querystring: schemas.listChannelsQuery,
        response: { 200: schemas.channelListReply, ...standardErrors },
      },
    },
    async (request) => {
      const rows = await listChannels(db, workspaceAccess(request).workspaceId, request.query.status);
      return { items: rows.map(channelView) };
    },
  );

  app.get(
    `${base}/:channelId`,
    {
      ...requirePermission('channels.view'),
      schema: {
        tags,
        summary: 'One number and its health',
        params: schemas.channelParams,
        response: { 200: schemas.channelSchema, ...standardErrors },
      },
    },
    async (request) => {
      const found = await findChannel(db, workspaceAccess(request).workspaceId, request.params.channelId);
      if (!found) throw notFound('Channel');
      return channelView(found);
    },
  );

  app.post(
    `${base}/embedded-signup`,
    {
      ...requirePermission('channels.manage'),
      schema: {
        tags,
        summary: 'Connect a number with the code and ids Embedded Signup reported',
        params: schemas.workspaceParams,
        body: schemas.embeddedSignupBody,
        response: onboardingReplies,
      },
    },
    async (request, reply) => {
      const { code, wabaId, phoneNumberId, businessId, pin } = request.body;
      const outcome = await startOnboarding(
        platform,
        actorOf(request),
        workspaceAccess(request).workspaceId,
        'embedded_signup',
        { code, wabaExternalId: wabaId, phoneNumberId, businessId, pin },
      );
      return reply.status(201).send(outcomeView(outcome));
    },
  );

  app.post(
    `${base}/manual`,
    {
      ...requirePermission('channels.manage'),
      schema: {
        tags,
        summary: 'Connect a number with a system-user token and its WABA id',
        params: schemas.workspaceParams,
        body: schemas.manualConnectBody,
        response: onboardingReplies,
      },
    },
    async (request, reply) => {
      const { accessToken, wabaId, phoneNumberId, businessId, pin } = request.body;
      const outcome = await startOnboarding(
        platform,
        actorOf(request),
        workspaceAccess(request).workspaceId,
        'manual',
        { accessToken, wabaExternalId: wabaId, phoneNumberId, businessId, pin },
      );
      return reply.status(201).send(outcomeView(outcome));
    },
  );

  app.get(
    `${base}/onboardings/:onboardingId`,
    {
      ...requirePermission('channels.view'),
      schema: {
        tags,
        summary: 'An onboarding: its steps, state and last error',
        params: schemas.onboardingParams,
        response: { 200: schemas.onboardingReply, ...standardErrors },
      },
    },
    async (request) => {
      const workspaceId = workspaceAccess(request).workspaceId;
      const row = await findOnboarding(db, workspaceId, request.params.onboardingId);
      if (!row) throw notFound('Onboarding');
      const channel = row.channelId ? await findChannel(db, workspaceId, row.channelId) : undefined;
      return outcomeView({ onboarding: row, channel });
    },
  );

  app.post(
    `${base}/onboardings/:onboardingId/retry`,
    {
      ...requirePermission('channels.manage'),
      schema: {
        tags,
        summary: 'Resume a failed onboarding at the step that failed',
        params: schemas.onboardingParams,
        body: schemas.retryBody,
        response: { 200: schemas.onboardingReply, ...standardErrors },
      },
    },
    async (request) =>
      outcomeView(
        await retryOnboarding(
          platform,
          actorOf(request),
          workspaceAccess(request).workspaceId,
          request.params.onboardingId,
          { code: request.body?.code, pin: request.body?.pin },
        ),
      ),
  );

  app.post(
    `${base}/:channelId/disconnect`,
    {
      ...requirePermission('channels.manage'),
      schema: {
        tags,
        summary: 'Disconnect a number (unsubscribe, destroy its sealed token and PIN)',
        params: schemas.channelParams,
        response: { 200: schemas.channelSchema, ...standardErrors },
      },
    },
    async (request) =>
      disconnectChannel(
        platform,
        actorOf(request),
        workspaceAccess(request).workspaceId,
        request.params.channelId,
      ),
  );

  app.post(
    `${base}/:channelId/sync`,
    {
      ...requirePermission('channels.manage'),
      schema: {
        tags,
        summary: 'Refresh the number’s names, quality, throughput and limit tier from Meta now',
        params: schemas.channelParams,
        response: { 200: schemas.channelSchema, ...standardErrors },
      },
    },
    async (request) =>
      syncChannelNow(
        platform,
        actorOf(request),
        workspaceAccess(request).workspaceId,
        request.params.channelId,
      ),
  );
}
