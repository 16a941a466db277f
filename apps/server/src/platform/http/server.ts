import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Bindings, ChildLoggerOptions } from 'pino';
import type { HttpApp, Platform, PlatformModule } from '../context.js';
import { newId } from '../ids.js';
import { type Logger, redactUrl } from '../logger.js';
import { AppError, type ErrorCode, type ErrorDetail, errorBody, errorStatus } from './errors.js';
import { registerHealthRoutes } from './health.js';

const INCOMING_REQUEST_ID = /^[\w.:-]{1,64}$/;

export interface HttpServerOptions {
  /** Extra routes registered after the modules (the web app's static files in embedded mode). */
  extraRoutes?(app: HttpApp): Promise<void> | void;
}

/** Fastify with zod contracts, one error model, request ids, redacted request logs and metrics. */
export async function buildHttpServer(
  platform: Platform,
  modules: readonly PlatformModule[],
  options: HttpServerOptions = {},
): Promise<HttpApp> {
  const trust = platform.config.http.trustProxy;
  const httpLogger = platform.logger.child({ component: 'http' });
  const app = Fastify({
    loggerInstance: httpLogger as FastifyBaseLogger,
    childLoggerFactory: (_logger, bindings) => new RequestLogger(httpLogger, bindings),
    // Our onResponse hook writes one line per request with secrets stripped from the URL.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && INCOMING_REQUEST_ID.test(incoming) ? incoming : newId('request');
    },
    bodyLimit: 1024 * 1024,
    // Only peers named by TRUST_PROXY may set X-Forwarded-*; by default the socket address is request.ip.
    // A hop count is what Fastify/proxy-addr do with a number; its types only take the function form.
    trustProxy: typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Callback-style hooks: an async hook costs every request a promise.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    platform.metrics.httpDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      seconds,
    );
    if (httpLogger.isLevelEnabled('info')) {
      request.log.info(
        {
          method: request.method,
          url: redactUrl(request.url),
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request',
      );
    }
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const send = (code: ErrorCode, message: string, details?: ErrorDetail[], status?: number) =>
      reply.status(status ?? errorStatus[code]).send(errorBody(code, message, request.id, details));

    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers);
      return send(error.code, error.message, error.details);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = error.validation.map((issue) => ({
        path: [error.validationContext, ...issue.instancePath.split('/').filter(Boolean)]
          .filter(Boolean)
          .join('.'),
        message: issue.message ?? 'is invalid',
      }));
      return send('validation_failed', 'The request is not valid', details);
    }
    if (isResponseSerializationError(error)) {
      request.log.error(
        { err: error, route: request.routeOptions.url },
        'response does not match its schema',
      );
      return send('internal', 'Internal error');
    }
    const status = error.statusCode ?? 500;
    if (status === 413) return send('payload_too_large', 'The request body is too large');
    if (status === 415) return send('unsupported_media_type', 'Unsupported content type');
    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return send('bad_request', 'The request body is not valid JSON');
    }
    if (status >= 400 && status < 500)
      return send('bad_request', 'The request is not valid', undefined, status);
    request.log.error({ err: error }, 'unhandled error');
    return send('internal', 'Internal error');
  });

  app.setNotFoundHandler(routeNotFound);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OpenWABA API',
        version: '1.0.0',
        description: 'REST API of OpenWABA, the open-source WhatsApp Business Platform.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A workspace API key' },
          session: { type: 'apiKey', in: 'cookie', name: 'owaba_session' },
          operator: {
            type: 'http',
            scheme: 'bearer',
            description: 'The installation operator token (OPERATOR_TOKEN)',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerHealthRoutes(app, platform);
  for (const module of modules) await module.routes?.(app, platform);
  await options.extraRoutes?.(app);
  await app.ready();
  return app;
}

export { AppError };

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * `request.log`: the pino child with the request id is made only when a line is actually written at an
 * enabled level. Fastify otherwise builds one per request, and a pino child runs its bindings through
 * redaction: a few percent of the CPU of an intake taking thousands of webhooks a second, for a logger
 * that at the default level almost never writes.
 */
class RequestLogger implements FastifyBaseLogger {
  private made?: Logger;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
  ) {}

  private get logger(): Logger {
    this.made ??= this.parent.child(this.bindings);
    return this.made;
  }

  private write(level: Level, args: unknown[]): void {
    if (this.parent.isLevelEnabled(level)) (this.logger[level] as (...args: unknown[]) => void)(...args);
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }
  set level(level: string) {
    this.logger.level = level;
  }
  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options) as FastifyBaseLogger;
  }
}

/** The one answer for a path no route serves (the server's and a worker's ops listener alike). */
export function routeNotFound(request: FastifyRequest, reply: FastifyReply): void {
  reply
    .status(404)
    .send(errorBody('not_found', `No route ${request.method} ${redactUrl(request.url)}`, request.id));
}
