import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import type { SimConfigInput } from './config.js';
import { ControlError } from './control/common.js';
import { registerScenarioRoutes } from './control/scenario-routes.js';
import { registerSignupRoutes } from './control/signup.js';
import { registerWorldRoutes } from './control/world-routes.js';
import { GraphError, invalidParam } from './errors.js';
import { registerAccountRoutes } from './graph/accounts.js';
import { registerMediaRoutes } from './graph/media.js';
import { registerMessageRoutes } from './graph/messages.js';
import { registerNodeRoutes } from './graph/nodes.js';
import { registerOAuthRoutes } from './graph/oauth.js';
import { registerTemplateRoutes } from './graph/templates.js';
import { GraphSimulator } from './sim.js';
import { ConflictError, NotFoundError } from './state/world.js';

export interface BuildOptions {
  logger?: boolean;
  config?: SimConfigInput;
  /** An existing simulator to serve (tests may want to hold the object). */
  sim?: GraphSimulator;
}

const UNSUPPORTED_VERSION = '/_sim_unsupported_version';

/**
 * `/v21.0/x` and `/x` reach the same routes: Graph accepts any live version and treats an unversioned
 * path as the oldest one. Versions outside v10.0–v29.0 get Graph's error rather than a silent match.
 */
export function stripVersion(url: string): string {
  const m = /^\/v(\d+)\.(\d+)(?=[/?]|$)/.exec(url);
  if (!m) return url;
  const major = Number(m[1]);
  if (major < 10 || major > 29 || m[2] !== '0') return `${UNSUPPORTED_VERSION}?v=v${m[1]}.${m[2]}`;
  const rest = url.slice(m[0].length);
  return rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
}

export async function buildGraphSim(
  options: BuildOptions = {},
): Promise<{ app: FastifyInstance; sim: GraphSimulator }> {
  const sim = options.sim ?? new GraphSimulator(options.config);
  const app = Fastify({
    logger: options.logger ?? false,
    rewriteUrl: (req) => stripVersion(req.url ?? '/'),
    bodyLimit: 4 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });

  await app.register(multipart, { limits: { fileSize: 100 * 1024 * 1024, files: 1 } });

  // Graph also takes form-encoded POSTs; JSON-looking values are parsed as Graph does.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(String(body))) {
      out[k] = /^[[{]/.test(v) ? safeJson(v) : v;
    }
    done(null, out);
  });

  // An empty JSON body (e.g. a DELETE sent with `Content-Type: application/json`) is an empty object, as Graph
  // takes it; Fastify's default parser would answer 400.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      const err = new Error('The request body could not be parsed as JSON.') as Error & {
        statusCode: number;
      };
      err.statusCode = 400;
      done(err, undefined);
    }
  });

  // Graph reads a POST's parameters from the query string as well as the body; body fields win.
  app.addHook('preValidation', async (req) => {
    if (req.method !== 'POST' || req.url.startsWith('/_sim')) return;
    const query = req.query as Record<string, unknown> | undefined;
    if (!query || Object.keys(query).length === 0) return;
    if (req.body !== undefined && req.body !== null && !isPlainObject(req.body)) return;
    const merged: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(query))
      merged[k] = typeof v === 'string' && /^[[{]/.test(v) ? safeJson(v) : v;
    req.body = { ...merged, ...((req.body as Record<string, unknown> | null | undefined) ?? {}) };
  });

  // Faults that hit every Graph call (not the control API): latency and 5xx answers.
  app.addHook('onRequest', async (req, reply) => {
    if (sim.faults.empty || req.url.startsWith('/_sim')) return;
    const latency = sim.faults.take('latency');
    if (latency) await new Promise((r) => setTimeout(r, latency.ms));
    const failure = sim.faults.take('server-error');
    if (failure) {
      const error =
        failure.status === 503
          ? new GraphError({
              code: 2,
              httpStatus: 503,
              transient: true,
              message: 'Service temporarily unavailable',
            })
          : new GraphError({
              code: 1,
              httpStatus: failure.status,
              transient: true,
              message: 'An unknown error occurred',
            });
      return reply.code(error.httpStatus).send(error.toBody());
    }
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof GraphError) return reply.code(err.httpStatus).send(err.toBody());
    if (err instanceof ZodError) {
      return reply.code(400).send({ error: { message: 'invalid request', issues: err.issues } });
    }
    if (err instanceof ControlError)
      return reply.code(err.statusCode).send({ error: { message: err.message } });
    if (err instanceof NotFoundError) return reply.code(404).send({ error: { message: err.message } });
    if (err instanceof ConflictError) return reply.code(409).send({ error: { message: err.message } });
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    const message = err instanceof Error ? err.message : String(err);
    if (req.url.startsWith('/_sim')) return reply.code(status).send({ error: { message } });
    if (status < 500) return reply.code(400).send(invalidParam(message).toBody());
    req.log.error(err);
    return reply.code(500).send(
      new GraphError({
        code: 1,
        httpStatus: 500,
        transient: true,
        message: 'An unknown error occurred',
      }).toBody(),
    );
  });

  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/_sim'))
      return reply.code(404).send({ error: { message: `no control route ${req.method} ${req.url}` } });
    const path = req.url.split('?')[0] ?? '';
    const error = new GraphError({ code: 2500, message: `Unknown path components: ${path}` });
    return reply.code(400).send(error.toBody());
  });

  app.all(UNSUPPORTED_VERSION, async (req) => {
    const v = (req.query as Record<string, string>).v;
    throw new GraphError({
      code: 2635,
      message: `(#2635) Graph API version ${v} is not available in this simulator (v10.0 to v29.0).`,
    });
  });

  app.get('/_sim/health', async () => ({ ok: true }));
  registerOAuthRoutes(app, sim);
  registerAccountRoutes(app, sim);
  registerMessageRoutes(app, sim);
  registerTemplateRoutes(app, sim);
  registerMediaRoutes(app, sim);
  registerNodeRoutes(app, sim);
  registerWorldRoutes(app, sim);
  registerScenarioRoutes(app, sim);
  registerSignupRoutes(app, sim);

  app.addHook('onClose', async () => sim.close());
  return { app, sim };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
