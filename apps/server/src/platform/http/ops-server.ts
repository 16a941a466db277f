import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { HttpApp, Platform } from '../context.js';
import { registerHealthRoutes } from './health.js';
import { routeNotFound } from './server.js';

/**
 * A worker's only HTTP surface, on METRICS_PORT: `/health`, `/ready` and `/metrics`, the very routes a
 * server answers on its main port, so probes and Prometheus treat both roles alike. No API, no docs.
 */
export async function buildOpsServer(platform: Platform): Promise<HttpApp> {
  const app = Fastify({
    loggerInstance: platform.logger.child({ component: 'ops-http' }) as FastifyBaseLogger,
    // Scrapes and probes every few seconds would drown the worker's own log lines.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setNotFoundHandler(routeNotFound);
  registerHealthRoutes(app, platform);
  await app.ready();
  return app;
}

/**
 * Starts the worker's ops listener, or returns null when METRICS_PORT is 0. A port that cannot be bound
 * (typically a second worker on the same host with the default port) is logged as an error and the
 * worker carries on without it: consuming jobs matters more than being scraped.
 */
export async function listenOps(platform: Platform): Promise<HttpApp | null> {
  const { port } = platform.config.metrics;
  if (port === 0) return null;
  const app = await buildOpsServer(platform);
  try {
    await app.listen({ port, host: platform.config.http.host });
    return app;
  } catch (error) {
    await app.close().catch(() => {});
    platform.logger.error(
      { err: error, port },
      'worker metrics listener not started; set METRICS_PORT to a free port, or 0 to turn it off',
    );
    return null;
  }
}
