import { isIP } from 'node:net';
import { z } from 'zod';
import { KeyRingError, parseKeyRing } from './platform/vault/keyring.js';

/**
 * The one place that reads the environment. `loadConfig` is called once at boot; everything else
 * receives the typed result. Defaults give embedded mode (no DATABASE_URL / REDIS_URL).
 */

const META_GRAPH_BASE_URL = 'https://graph.facebook.com';

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
const optionalUrl = (protocols: string[]) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .url({ message: `must be a URL (${protocols.join(', ')})` })
      .refine((value) => protocols.some((p) => value.startsWith(`${p}:`)), {
        message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
      })
      .optional(),
  );
const port = (fallback: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ message: 'must be a port number' })
      .int({ message: 'must be a whole number' })
      .min(0, { message: 'must be between 0 and 65535' })
      .max(65535, { message: 'must be between 0 and 65535' })
      .default(fallback),
  );
const flag = (fallback: boolean) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .enum(['true', 'false', '1', '0', 'on', 'off'], { message: 'must be true or false' })
      .optional()
      .transform((value) =>
        value === undefined ? fallback : value === 'true' || value === '1' || value === 'on',
      ),
  );

/** SMTP_URL: smtp:// (STARTTLS when offered) or smtps:// (TLS from the start), naming a host. */
const smtpUrl = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      const problem = value === undefined ? undefined : smtpUrlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
);

function smtpUrlProblem(value: string): string | undefined {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:'))
    return 'must be a URL such as smtp://user:pass@mail.example.com:587 or smtps://user:pass@mail.example.com:465';
  if (url.hostname === '') return 'must name the mail server host';
  return undefined;
}

/** MAIL_FROM: `address@domain` or `Display Name <address@domain>`. */
const mailFrom = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .trim()
    .regex(/^(?:[^<>]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/, {
      message: 'must be an address (no-reply@example.com) or Name <no-reply@example.com>',
    })
    .default('OpenWABA <no-reply@localhost>'),
);

/** proxy-addr's named ranges, accepted by Fastify's `trustProxy` beside addresses and CIDRs. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

/** TRUST_PROXY: true/false, a hop count, or a comma-separated list of proxy addresses/CIDRs. */
const trustProxy = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .optional()
    .transform((value, ctx): TrustProxy => {
      const text = value?.trim().toLowerCase();
      if (text === undefined || text === 'false' || text === 'off') return false;
      if (text === 'true' || text === 'on') return true;
      if (/^\d+$/.test(text)) return Number(text);
      const entries = text
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
      const bad = entries.filter((entry) => !isProxyAddress(entry));
      if (entries.length === 0 || bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message:
            'must be true, false, a hop count, or a comma-separated list of proxy IPs/CIDRs' +
            (bad.length > 0 ? ` (not an address: ${bad.join(', ')})` : ''),
        });
        return z.NEVER;
      }
      return entries;
    }),
);

/**
 * Which peers may set X-Forwarded-For/-Proto/-Host (Fastify's `trustProxy`): false trusts none, true
 * trusts any, a number trusts that many hops, a list trusts those addresses/CIDRs.
 */
export type TrustProxy = boolean | number | string[];

export const roles = ['server', 'worker', 'all'] as const;
export type Role = (typeof roles)[number];

const envSchema = z.object({
  NODE_ENV: z.preprocess(
    emptyAsUndefined,
    z.enum(['development', 'production', 'test']).default('development'),
  ),
  ROLE: z.preprocess(emptyAsUndefined, z.enum(roles).default('all')),
  PORT: port(3000),
  METRICS_PORT: port(9464),
  HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('127.0.0.1')),
  PUBLIC_URL: optionalUrl(['http', 'https']),
  TRUST_PROXY: trustProxy,
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).default('./data')),
  DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
  DATABASE_POOL_SIZE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(200).default(10)),
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  REDIS_KEY_PREFIX: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,40}$/, { message: 'letters, digits, _ and - only (1-40)' })
      .default('owaba'),
  ),
  META_APP_ID: optionalString,
  META_APP_SECRET: optionalString,
  META_VERIFY_TOKEN: optionalString,
  META_CONFIG_ID: optionalString,
  GRAPH_API_BASE_URL: optionalUrl(['http', 'https']),
  GRAPH_API_VERSION: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^v\d{2}\.0$/, { message: 'must look like v23.0' })
      .default('v23.0'),
  ),
  GRAPH_SIM: flag(true),
  GRAPH_SIM_PORT: port(4010),
  TOKEN_MASTER_KEY: optionalString,
  VAULT_BACKEND: z.preprocess(emptyAsUndefined, z.enum(['local', 'aws']).default('local')),
  VAULT_AWS_PREFIX: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@-]{0,100}$/, { message: 'letters, digits and /_+=.@- only (at most 100)' })
      .default('openwaba/'),
  ),
  VAULT_AWS_ENDPOINT: optionalUrl(['http', 'https']),
  VAULT_AWS_RECOVERY_DAYS: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ message: 'must be a number of days' })
      .int({ message: 'must be a whole number' })
      .refine((days) => days === 0 || (days >= 7 && days <= 30), {
        message: 'must be 0 (delete at once) or between 7 and 30',
      })
      .default(7),
  ),
  AWS_REGION: optionalString,
  MEDIA_STORE: z.preprocess(emptyAsUndefined, z.enum(['local', 's3']).default('local')),
  MEDIA_S3_BUCKET: optionalString,
  MEDIA_S3_PREFIX: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9/_.-]{0,200}$/, { message: 'letters, digits and /_.- only (at most 200)' })
      .default('media/'),
  ),
  MEDIA_S3_ENDPOINT: optionalUrl(['http', 'https']),
  MEDIA_S3_FORCE_PATH_STYLE: flag(false),
  WEB_DIST_DIR: optionalString,
  SWEEP_INTERVAL_SECONDS: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(1).max(3600).default(30),
  ),
  OPERATOR_TOKEN: optionalString,
  WEBHOOK_PROCESSING_LANES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(64).default(4)),
  REDISPATCH_AFTER_SECONDS: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(1).max(3600).default(60),
  ),
  WEBHOOK_RETENTION_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(365).default(7)),
  CHANNEL_SYNC_INTERVAL_MINUTES: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(1).max(1440).default(15),
  ),
  CUSTOMER_SERVICE_WINDOW_SECONDS: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(1).max(86_400).default(86_400),
  ),
  SMTP_URL: smtpUrl,
  MAIL_FROM: mailFrom,
  BILLING_CURRENCY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[A-Z]{3}$/, { message: 'an ISO 4217 currency code such as USD or INR' })
      .default('USD'),
  ),
});

export type RawEnv = z.input<typeof envSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  role: Role;
  /** embedded: PGlite + in-process queue/limits/events; scale: PostgreSQL + Redis. */
  mode: 'embedded' | 'scale';
  http: {
    host: string;
    port: number;
    publicUrl: string;
    /** Fastify's `trustProxy`; false (default): X-Forwarded-* headers are ignored. */
    trustProxy: TrustProxy;
  };
  /**
   * Worker role only: port of its /health, /ready and /metrics listener (bound to `http.host`); 0 turns
   * the listener off. Servers answer these on their main port.
   */
  metrics: { port: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  dataDir: string;
  database: { url: string | undefined; poolSize: number };
  redis: { url: string | undefined; keyPrefix: string };
  meta: {
    appId: string | undefined;
    appSecret: string | undefined;
    verifyToken: string | undefined;
    /** Embedded Signup configuration id (Facebook Login for Business), handed to the browser SDK. */
    configId: string | undefined;
    /** Base URL without version, e.g. https://graph.facebook.com or the simulator's. */
    graphBaseUrl: string;
    graphVersion: string;
  };
  graphSim: { enabled: boolean; port: number };
  tokenMasterKey: string | undefined;
  vault: {
    /** Where sealed ciphertexts live: in PostgreSQL (local) or in AWS Secrets Manager (aws). */
    backend: 'local' | 'aws';
    aws: {
      region: string | undefined;
      /** A Secrets Manager-compatible endpoint (tests, LocalStack); unset: AWS's own. */
      endpoint: string | undefined;
      /** Secret names are `<prefix><vault secret id>`. */
      prefix: string;
      /** 0: destroyed secrets are deleted without recovery; 7-30: AWS keeps them that long. */
      recoveryWindowDays: number;
    };
  };
  /** Media files: on local disk under DATA_DIR/media, or in an S3-compatible bucket (several hosts). */
  media: {
    store: 'local' | 's3';
    s3: {
      bucket: string | undefined;
      /** Object keys are `<prefix><workspace id>/…`. */
      prefix: string;
      region: string | undefined;
      /** An S3-compatible endpoint (MinIO, R2, Ceph …); unset: AWS's own. */
      endpoint: string | undefined;
      /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible servers need. */
      forcePathStyle: boolean;
    };
  };
  webDistDir: string | undefined;
  sweepIntervalSeconds: number;
  /** Raw webhook events are kept this long for replay. */
  webhookRetentionDays: number;
  /** Work still pending this long after it was stored is assumed lost by the queue and re-dispatched. */
  redispatchAfterSeconds: number;
  /** How many worker processes may process newly received webhooks at once (one job per lane). */
  webhookProcessingLanes: number;
  /** Bearer token of the installation's operator API (/api/v1/operator/…); unset disables it. */
  operatorToken: string | undefined;
  /**
   * Outgoing email. With an SMTP URL every mode delivers through it; without one, emails go to the
   * console mailer (logged in embedded mode, dropped with a warning in scale mode).
   */
  mail: {
    /** smtp:// or smtps:// with optional credentials; a secret (it may hold a password). */
    smtpUrl: string | undefined;
    /** The From header of every email. */
    from: string;
  };
  /** Currency of new wallets and of the rate card used for their prices. */
  billing: { currency: string };
  /** Phone numbers and WABAs are refreshed from Meta when their last sync is older than this. */
  channelSyncIntervalMinutes: number;
  /** Meta's 24-hour customer-service window; shorter only for end-to-end tests and demos. */
  customerServiceWindowSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment (or any record shaped like it). Throws ConfigError naming every bad variable. */
export function loadConfig(source: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(source);
  const problems = parsed.success ? [] : describeIssues(parsed.error.issues, source);
  // Cross-variable checks run even when some variables are invalid, so one boot names every problem.
  problems.push(...crossProblems(parsed.success ? parsed.data : parseEachValid(source)));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env = parsed.data;
  const mode = env.DATABASE_URL ? 'scale' : 'embedded';

  const simEnabled = env.GRAPH_SIM && env.ROLE === 'all';
  const graphBaseUrl =
    env.GRAPH_API_BASE_URL ?? (simEnabled ? `http://127.0.0.1:${env.GRAPH_SIM_PORT}` : META_GRAPH_BASE_URL);
  const publicUrl = env.PUBLIC_URL ?? `http://${displayHost(env.HOST)}:${env.PORT}`;

  return {
    env: env.NODE_ENV,
    role: env.ROLE,
    mode,
    http: {
      host: env.HOST,
      port: env.PORT,
      publicUrl: publicUrl.replace(/\/$/, ''),
      trustProxy: env.TRUST_PROXY,
    },
    metrics: { port: env.METRICS_PORT },
    logLevel: env.LOG_LEVEL,
    dataDir: env.DATA_DIR,
    database: { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE },
    redis: { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX },
    meta: {
      appId: env.META_APP_ID,
      appSecret: env.META_APP_SECRET,
      verifyToken: env.META_VERIFY_TOKEN,
      configId: env.META_CONFIG_ID,
      graphBaseUrl: graphBaseUrl.replace(/\/$/, ''),
      graphVersion: env.GRAPH_API_VERSION,
    },
    graphSim: { enabled: simEnabled, port: env.GRAPH_SIM_PORT },
    tokenMasterKey: env.TOKEN_MASTER_KEY,
    vault: {
      backend: env.VAULT_BACKEND,
      aws: {
        region: env.AWS_REGION,
        endpoint: env.VAULT_AWS_ENDPOINT,
        prefix: env.VAULT_AWS_PREFIX,
        recoveryWindowDays: env.VAULT_AWS_RECOVERY_DAYS,
      },
    },
    media: {
      store: env.MEDIA_STORE,
      s3: {
        bucket: env.MEDIA_S3_BUCKET,
        prefix: env.MEDIA_S3_PREFIX,
        region: env.AWS_REGION,
        endpoint: env.MEDIA_S3_ENDPOINT,
        forcePathStyle: env.MEDIA_S3_FORCE_PATH_STYLE,
      },
    },
    webDistDir: env.WEB_DIST_DIR,
    sweepIntervalSeconds: env.SWEEP_INTERVAL_SECONDS,
    webhookRetentionDays: env.WEBHOOK_RETENTION_DAYS,
    operatorToken: env.OPERATOR_TOKEN,
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    billing: { currency: env.BILLING_CURRENCY },
    redispatchAfterSeconds: env.REDISPATCH_AFTER_SECONDS,
    webhookProcessingLanes: env.WEBHOOK_PROCESSING_LANES,
    channelSyncIntervalMinutes: env.CHANNEL_SYNC_INTERVAL_MINUTES,
    customerServiceWindowSeconds: env.CUSTOMER_SERVICE_WINDOW_SECONDS,
  };
}

/** Where the database is: all that `npm run db:migrate` needs. */
export interface DatabaseLocation {
  /** Scale mode's PostgreSQL; unset: embedded mode's PGlite under `dataDir`. */
  url: string | undefined;
  dataDir: string;
}

const databaseLocationSchema = envSchema.pick({ DATABASE_URL: true, DATA_DIR: true });

/**
 * Parses only DATABASE_URL and DATA_DIR, so tools that just open the database (migrations) run without
 * the server's secrets (TOKEN_MASTER_KEY in scale mode) and are not stopped by variables they never use.
 */
export function loadDatabaseLocation(source: Record<string, string | undefined>): DatabaseLocation {
  const parsed = databaseLocationSchema.safeParse(source);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, source));
  return { url: parsed.data.DATABASE_URL, dataDir: parsed.data.DATA_DIR };
}

/** One line per issue, naming the variable and echoing its value unless it may hold a secret. */
function describeIssues(issues: readonly z.core.$ZodIssue[], source: Record<string, string | undefined>) {
  return issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const given = source[String(issue.path[0])];
    const shown = given === undefined || isSecretName(name) ? '' : ` (got ${JSON.stringify(given)})`;
    return `${name}: ${issue.message}${shown}`;
  });
}

type Env = z.output<typeof envSchema>;

/** Every variable that parses on its own; invalid ones are left out (they are reported already). */
function parseEachValid(source: Record<string, string | undefined>): Partial<Env> {
  const valid: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(envSchema.shape)) {
    const result = schema.safeParse(source[name]);
    if (result.success) valid[name] = result.data;
  }
  return valid as Partial<Env>;
}

function crossProblems(env: Partial<Env>): string[] {
  const problems: string[] = [];
  const scale = Boolean(env.DATABASE_URL);
  if (env.REDIS_URL && !env.DATABASE_URL) {
    problems.push('REDIS_URL: scale mode needs DATABASE_URL as well (Redis alone is not supported)');
  }
  if (scale && env.ROLE === 'all' && env.GRAPH_SIM && env.NODE_ENV === 'production') {
    problems.push('GRAPH_SIM: the Graph API simulator must not run in production; set GRAPH_SIM=false');
  }
  if (env.TOKEN_MASTER_KEY) {
    try {
      parseKeyRing(env.TOKEN_MASTER_KEY);
    } catch (error) {
      problems.push(`TOKEN_MASTER_KEY: ${error instanceof KeyRingError ? error.message : 'is not valid'}`);
    }
  } else if (scale) {
    problems.push(
      'TOKEN_MASTER_KEY: required in scale mode (32 random bytes, e.g. `openssl rand -base64 32`); ' +
        'embedded mode generates one under DATA_DIR',
    );
  }
  if (env.VAULT_BACKEND === 'aws' && !env.AWS_REGION) {
    problems.push('AWS_REGION: required with VAULT_BACKEND=aws (the region of your Secrets Manager)');
  }
  if (env.MEDIA_STORE === 's3') {
    if (!env.MEDIA_S3_BUCKET) problems.push('MEDIA_S3_BUCKET: required with MEDIA_STORE=s3');
    if (!env.AWS_REGION) problems.push('AWS_REGION: required with MEDIA_STORE=s3 (the region of the bucket)');
  }
  return problems;
}

function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host;
}

function isSecretName(name: string): boolean {
  return /SECRET|TOKEN|KEY|PASSWORD|DATABASE_URL|REDIS_URL|SMTP_URL/.test(name);
}
