import { z } from 'zod';
import type { HttpApp, Platform } from '../../platform/context.js';
import { AppError, notFound, standardErrors } from '../../platform/http/errors.js';
import { requirePermission, workspaceAccess } from '../../platform/http/tenant.js';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.js';
import * as schemas from './identity.schemas.js';

const tags = ['api keys'];

export function registerApiKeyRoutes(app: HttpApp, platform: Platform): void {
  app.get(
    '/api/v1/workspaces/:workspaceId/api-keys',
    {
      ...requirePermission('api_keys.view'),
      schema: {
        tags,
        summary: 'List active API keys (never their secret)',
        params: schemas.workspaceParams,
        response: { 200: z.object({ items: z.array(schemas.apiKeySchema) }), ...standardErrors },
      },
    },
    async (request) => ({ items: await listApiKeys(platform.db, workspaceAccess(request).workspaceId) }),
  );

  app.post(
    '/api/v1/workspaces/:workspaceId/api-keys',
    {
      ...requirePermission('api_keys.manage'),
      schema: {
        tags,
        summary: 'Create an API key; the key is in this reply only',
        params: schemas.workspaceParams,
        body: schemas.createApiKeyBody,
        response: { 201: schemas.createdApiKeyReply, ...standardErrors },
      },
    },
    async (request, reply) => {
      const result = await createApiKey(platform.db, workspaceAccess(request), request.body);
      if (!result.ok) {
        switch (result.reason) {
          case 'outranked':
            throw new AppError('forbidden', 'A key cannot have a role above your own');
          case 'key_limit':
            throw new AppError('plan_limit_reached', "The workspace's plan allows no more API keys");
          default:
            throw new Error(`unhandled ${result.reason satisfies never}`);
        }
      }
      return reply.status(201).send({ apiKey: result.value.apiKey, key: result.value.secret });
    },
  );

  app.delete(
    '/api/v1/workspaces/:workspaceId/api-keys/:apiKeyId',
    {
      ...requirePermission('api_keys.manage'),
      schema: {
        tags,
        summary: 'Revoke an API key; it stops working at once',
        params: schemas.apiKeyParams,
        response: { 204: z.null().describe('Revoked'), ...standardErrors },
      },
    },
    async (request, reply) => {
      const revoked = await revokeApiKey(platform.db, workspaceAccess(request), request.params.apiKeyId);
      if (!revoked) throw notFound('API key');
      return reply.status(204).send(null);
    },
  );
}
