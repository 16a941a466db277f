import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { AnyPgColumn, PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** The typed database both drivers produce. Repositories take this (or a transaction of it). */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle; the same query surface as Database. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
export type Executor = Database | Transaction;

/**
 * Runs hand-written SQL and returns its rows (both drivers answer `{ rows }`). For hot paths where
 * building the statement with the query builder costs more than running it.
 */
export async function queryRows<T extends Record<string, unknown>>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * `column = any($1::text[])`: a list of ids as ONE array parameter. drizzle's inArray makes a parameter
 * per element, so the statement text grows with the list, and building it and binding it cost per
 * element; on hot paths with batches of hundreds that showed in the worker's profile.
 */
export function anyOf(column: AnyPgColumn, values: readonly string[]): SQL {
  return sql`${column} = any(${sql.param([...values])}::text[])`;
}

/**
 * Runs hand-written SQL (`$1`, `$2` … parameters) as a statement prepared under `name`: PostgreSQL
 * parses and plans it once per connection instead of on every call. On the database itself, never in a
 * transaction; for the hottest statements that the query builder cannot express.
 */
export async function queryPrepared<T extends Record<string, unknown>>(
  db: Database,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const client = (db as unknown as { $client: pg.Pool | PGlite }).$client;
  if (client instanceof PGlite) return (await client.query<T>(text, values)).rows;
  return (await client.query<T>({ name, text, values })).rows;
}

/**
 * A statement built once per database and prepared under `name`, for the hottest queries: no query
 * building per call, and PostgreSQL parses and plans it once per connection. Runs on the database
 * itself, never inside a transaction.
 */
export function preparedStatement<T>(build: (db: Database) => T): (db: Database) => T {
  const built = new WeakMap<Database, T>();
  return (db) => {
    let statement = built.get(db);
    if (!statement) {
      statement = build(db);
      built.set(db, statement);
    }
    return statement;
  };
}

export const migrationsFolder = fileURLToPath(new URL('../../../drizzle', import.meta.url));

/** Arbitrary constant key for pg_advisory_lock: 'owaba:migrate'. */
const MIGRATION_LOCK_KEY = 4_711_020_001;

export interface DatabaseHandle {
  kind: 'pglite' | 'postgres';
  db: Database;
  /** Throws when the database cannot answer a trivial query. */
  ping(): Promise<void>;
  /** Applies pending migrations, serialised across processes by an advisory lock. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL for scale mode; undefined selects PGlite. */
  url: string | undefined;
  poolSize?: number;
  /** PGlite data directory, or 'memory://' for an in-memory database. */
  pgliteDir?: string;
  /** A PGlite data-directory dump to start from (tests reuse one migrated snapshot: initdb costs seconds). */
  pgliteSnapshot?: Blob;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.url
    ? openPostgres(options.url, options.poolSize ?? 10)
    : openPglite(options.pgliteDir ?? 'memory://', options.pgliteSnapshot);
}

function openPostgres(url: string, poolSize: number): DatabaseHandle {
  // Idle connections are kept 5 minutes (pg's default is 10 s): after a quiet spell, the next burst
  // would otherwise wait for new PostgreSQL backends and re-prepare the hot statements on each.
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 300_000,
  });
  // A client that loses its server must not crash the process; the failed query reports it. The pool
  // only listens on idle clients: one checked out for a transaction (a webhook batch holds one across
  // its statements) would otherwise emit an unhandled 'error' when PostgreSQL goes away between two.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzleNodePg({ client: pool, schema }) as unknown as Database;
  return {
    kind: 'postgres',
    db,
    async ping() {
      await pool.query('select 1');
    },
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        try {
          await migrateNodePg(drizzleNodePg({ client }), { migrationsFolder });
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        }
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

async function openPglite(dir: string, snapshot: Blob | undefined): Promise<DatabaseHandle> {
  let dataDir = dir;
  if (!dir.startsWith('memory://')) {
    dataDir = resolve(dir);
    mkdirSync(dataDir, { recursive: true });
  }
  const client = await PGlite.create(dataDir, snapshot ? { loadDataDir: snapshot } : {});
  const db = drizzlePglite({ client, schema }) as unknown as Database;
  return {
    kind: 'pglite',
    db,
    async ping() {
      await client.query('select 1');
    },
    async migrate() {
      // PGlite is single-process (it holds its data directory), so no cross-process lock is needed.
      await migratePglite(drizzlePglite({ client }), { migrationsFolder });
    },
    async close() {
      await client.close();
    },
  };
}

export function pgliteDirFor(dataDir: string): string {
  return dataDir === 'memory://' ? dataDir : join(dataDir, 'pg');
}
