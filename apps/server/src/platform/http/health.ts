import { z } from 'zod';
import type { HttpApp, Platform } from '../context.js';
import { errorBodySchema } from './errors.js';

const readySchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.enum(['ok', 'failed'])),
});

export function registerHealthRoutes(app: HttpApp, platform: Platform): void {
  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'The process is alive',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['operations'],
        summary: 'Dependencies are reachable (database, and Redis in scale mode)',
        response: { 200: readySchema, 503: readySchema, 500: errorBodySchema },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, 'ok' | 'failed'> = {};
      checks.database = await settle(() => platform.database.ping(), 2_000);
      if (platform.redis) {
        const redis = platform.redis;
        checks.redis = await settle(() => redis.ping(), 2_000);
      }
      const ready = Object.values(checks).every((check) => check === 'ok');
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const body = await platform.metrics.registry.metrics();
    return reply.header('content-type', platform.metrics.registry.contentType).send(body);
  });
}

async function settle(check: () => Promise<unknown>, timeoutMs: number): Promise<'ok' | 'failed'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch {
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}
