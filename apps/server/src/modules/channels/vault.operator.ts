import { z } from 'zod';
import type { HttpApp, Platform } from '../../platform/context.js';
import { systemActor } from '../../platform/http/auth.js';
import { standardErrors } from '../../platform/http/errors.js';
import { operatorGuard } from '../../platform/http/operator.js';
import { recordAudit } from '../audit/audit.service.js';

/**
 * The operator's key-ring tools (same work as `npm run vault:rotate`): see which master key wraps how
 * many secrets, and re-wrap every data key under the current one. Readers keep working throughout.
 */
export function registerVaultOperatorRoutes(app: HttpApp, platform: Platform): void {
  const guard = operatorGuard(platform.config);
  const security = [{ operator: [] }];

  app.get(
    '/api/v1/operator/vault/keys',
    {
      ...guard,
      schema: {
        tags: ['operator'],
        summary: 'The current master key id and how many secrets each key wraps',
        security,
        response: {
          200: z.object({ currentKeyId: z.string(), usage: z.record(z.string(), z.number()) }),
          ...standardErrors,
        },
      },
    },
    async () => ({ currentKeyId: platform.vault.currentKeyId, usage: await platform.vault.keyUsage() }),
  );

  app.post(
    '/api/v1/operator/vault/rotate',
    {
      ...guard,
      schema: {
        tags: ['operator'],
        summary: 'Re-wrap every data key under the current master key',
        security,
        response: {
          200: z.object({
            rewrapped: z.number(),
            currentKeyId: z.string(),
            usage: z.record(z.string(), z.number()),
          }),
          ...standardErrors,
        },
      },
    },
    async () => {
      const { rewrapped } = await platform.vault.rotate();
      const usage = await platform.vault.keyUsage();
      await recordAudit(platform.db, systemActor('operator'), {
        workspaceId: null,
        action: 'vault.rotated',
        resourceType: 'vault',
        after: { rewrapped, currentKeyId: platform.vault.currentKeyId },
      });
      return { rewrapped, currentKeyId: platform.vault.currentKeyId, usage };
    },
  );
}
