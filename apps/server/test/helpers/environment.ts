import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Config, loadConfig } from '../../src/config.js';

/**
 * Test environment: embedded mode by default (PGlite in memory, in-process queue). When the test run
 * has DATABASE_URL / REDIS_URL set (CI's second pass), each test file gets a fresh PostgreSQL database
 * and its own Redis key prefix on those servers, so the same suite covers scale mode.
 */
export const scaleMode = Boolean(process.env.DATABASE_URL);

export interface TestDatabase {
  url: string | undefined;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) return { url: undefined, drop: async () => {} };
  const name = `owt_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A config for tests: the run's mode, quiet logs, no simulator, a unique Redis prefix. */
export function testConfig(databaseUrl: string | undefined, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATA_DIR: 'memory://',
    GRAPH_SIM: 'false',
    GRAPH_API_BASE_URL: 'http://127.0.0.1:9',
    DATABASE_URL: databaseUrl,
    REDIS_URL: databaseUrl ? process.env.REDIS_URL : undefined,
    REDIS_KEY_PREFIX: `t${randomBytes(5).toString('hex')}`,
    TOKEN_MASTER_KEY: randomBytes(32).toString('base64'),
    // A suite run against a Secrets Manager stand-in (see channels/onboarding-aws.test.ts); never real AWS.
    ...(process.env.TEST_VAULT_AWS_ENDPOINT
      ? {
          VAULT_BACKEND: 'aws',
          AWS_REGION: 'eu-west-1',
          VAULT_AWS_ENDPOINT: process.env.TEST_VAULT_AWS_ENDPOINT,
        }
      : {}),
    ...overrides,
  });
}
