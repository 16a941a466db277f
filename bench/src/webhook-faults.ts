/**
 * Faults under load, scale mode: webhooks at a fixed rate while the worker, Redis and PostgreSQL are
 * each killed with SIGKILL and started again. Needs PostgreSQL's server binaries and redis-server on
 * the machine: the benchmark runs a PostgreSQL cluster and a Redis of its own, so crashing them touches
 * nothing else.
 *
 *   npm run bench:faults -- [--rate 1000] [--seconds 50]
 *
 * Timeline (seconds into the load): worker killed at 10 (a new one starts at once), Redis killed at 20
 * (back 1 s later), PostgreSQL's postmaster killed at 32 (back 1 s later, after crash recovery).
 * Checked afterwards: every webhook answered 200 is stored once and processed once (one message per
 * wamid, none missing, none doubled). Webhooks answered otherwise (503 while PostgreSQL is down) are
 * the ones Meta would send again; they are counted, not retried. Printed per second: the 200s' ack p99
 * and the recovery time after each fault (first second from which ack p99 stays under the threshold).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { numberArg } from './lib/args.js';
import { insertBenchChannel, signedInboundText } from './lib/inbound-payload.js';
import { openLoop, p99PerSecond } from './lib/open-loop.js';
import { freePort, machine, spawnTs, waitForOk } from './lib/processes.js';

const rate = numberArg('rate', 1000);
const seconds = numberArg('seconds', 50);
const FAULTS = [
  { at: 10, what: 'worker' },
  { at: 20, what: 'redis' },
  { at: 32, what: 'postgres' },
] as const;
/** Ack p99 under this (ms) counts as normal again. */
const NORMAL_P99_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A throwaway PostgreSQL cluster (initdb as the postgres user when run as root). */
function privatePostgres(port: number) {
  const bin = `/usr/lib/postgresql/${pgMajor()}/bin`;
  const dir = mkdtempSync(join(tmpdir(), 'owfaults-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]) =>
    execFileSync(
      asRoot ? 'runuser' : `${bin}/${tool}`,
      asRoot ? ['-u', 'postgres', '--', `${bin}/${tool}`, ...args] : args,
      {
        stdio: 'ignore',
      },
    );
  run('initdb', ['-D', dir, '--auth=trust', '-U', 'postgres']);
  const start = async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        run('pg_ctl', [
          '-D',
          dir,
          '-w',
          '-l',
          join(dir, 'log'),
          '-o',
          `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`,
          'start',
        ]);
        return;
      } catch (error) {
        // After a SIGKILL the old backends take a moment to notice and let go of shared memory.
        if (attempt > 20) throw error;
        await sleep(500);
      }
    }
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    kill() {
      const pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(pid, 'SIGKILL');
    },
    stop() {
      try {
        run('pg_ctl', ['-D', dir, '-m', 'immediate', 'stop']);
      } catch {
        // already down
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function pgMajor(): string {
  return execFileSync('ls', ['/usr/lib/postgresql']).toString().trim().split('\n').sort().at(-1) ?? '15';
}

function startRedis(port: number): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
}

async function main() {
  const pgPort = await freePort();
  const postgres = privatePostgres(pgPort);
  await postgres.start();
  const redisPort = await freePort();
  let redis = startRedis(redisPort);
  const appSecret = randomBytes(16).toString('hex');
  const env = {
    DATABASE_URL: postgres.url,
    DATABASE_POOL_SIZE: '20',
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    REDIS_KEY_PREFIX: 'faults',
    META_APP_SECRET: appSecret,
    TOKEN_MASTER_KEY: randomBytes(32).toString('base64'),
    SWEEP_INTERVAL_SECONDS: '1',
    REDISPATCH_AFTER_SECONDS: '3',
    LOG_LEVEL: 'fatal',
    NODE_ENV: 'production',
  };
  const children: ChildProcess[] = [];
  const startWorker = () => {
    const child = spawnTs('apps/server/src/main.ts', ['worker'], { ...env, METRICS_PORT: '0' });
    children.push(child);
    return child;
  };
  const db = new pg.Client({ connectionString: postgres.url });
  try {
    await sleep(500);
    const port = await freePort();
    children.push(spawnTs('apps/server/src/main.ts', ['server'], { ...env, PORT: String(port) }));
    await waitForOk(`http://127.0.0.1:${port}/ready`, 60_000);
    await db.connect();
    await insertBenchChannel(db, 'ws_faults', 'f');
    await db.end();
    let worker = startWorker();
    await sleep(3_000);

    const total = Math.round(rate * seconds);
    const status = new Int16Array(total);
    const ackMs = new Float64Array(total);
    const faultLog: { what: string; downAt: number; upAt: number }[] = [];
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    const faults = (async () => {
      for (const fault of FAULTS) {
        await sleep(Math.max(0, fault.at * 1000 - (performance.now() - started)));
        const downAt = elapsed();
        if (fault.what === 'worker') {
          worker.kill('SIGKILL');
          worker = startWorker();
        } else if (fault.what === 'redis') {
          redis.kill('SIGKILL');
          await sleep(1_000);
          redis = startRedis(redisPort);
        } else {
          postgres.kill();
          await sleep(1_000);
          await postgres.start();
        }
        faultLog.push({ what: fault.what, downAt, upAt: elapsed() });
      }
    })();
    await openLoop({
      url: `http://127.0.0.1:${port}/webhooks/whatsapp`,
      rate,
      seconds,
      request: (i) =>
        signedInboundText(
          appSecret,
          `wamid.fault.${i}`,
          `1650555${String(i % 500).padStart(4, '0')}`,
          `m ${i}`,
        ),
      onResponse: (i, code, latency) => {
        status[i] = code;
        ackMs[i] = latency;
      },
    });
    await faults;

    // Every webhook answered 200 must come out as exactly one message.
    const acked = new Set<string>();
    for (let i = 0; i < total; i++) if (status[i] === 200) acked.add(`wamid.fault.${i}`);
    const check = new pg.Client({ connectionString: postgres.url });
    await check.connect();
    const deadline = Date.now() + 300_000;
    let rows: { wamid: string }[] = [];
    for (;;) {
      const result = await check.query<{ n: number }>(
        `select count(*)::int as n from webhook_events where status <> 'processed'`,
      );
      rows = (
        await check.query<{ wamid: string }>(`select wamid from messages where wamid like 'wamid.fault.%'`)
      ).rows;
      if (result.rows[0]!.n === 0 && rows.length >= acked.size) break;
      if (Date.now() > deadline) break;
      await sleep(500);
    }
    const stored = new Map<string, number>();
    for (const row of rows) stored.set(row.wamid, (stored.get(row.wamid) ?? 0) + 1);
    const missing = [...acked].filter((wamid) => !stored.has(wamid)).length;
    const doubled = [...stored.values()].filter((n) => n > 1).length;
    const unprocessed = (
      await check.query<{ n: number }>(
        `select count(*)::int as n from webhook_events where status <> 'processed'`,
      )
    ).rows[0]!.n;
    await check.end();

    // Ack p99 per second of intended send time, and when each fault's effect on it ended.
    const bySecond: number[][] = Array.from({ length: seconds }, () => []);
    for (let i = 0; i < total; i++) if (status[i] === 200) bySecond[Math.floor(i / rate)]?.push(ackMs[i]!);
    const perSecond = p99PerSecond(bySecond);
    const recovery = faultLog.map((fault, k) => {
      const until = FAULTS[k + 1]?.at ?? seconds;
      let normalFrom: number | null = null;
      for (let s = Math.floor(fault.downAt); s < until; s++) {
        const p99 = perSecond[s]!;
        if (Number.isNaN(p99) || p99 > NORMAL_P99_MS) normalFrom = null;
        else normalFrom ??= s;
      }
      return {
        fault: fault.what,
        killedAtS: Number(fault.downAt.toFixed(1)),
        backAtS: Number(fault.upAt.toFixed(1)),
        ackP99NormalAfterS:
          normalFrom === null ? null : Math.max(0, Number((normalFrom - fault.upAt).toFixed(1))),
      };
    });
    let refused = 0;
    for (let i = 0; i < total; i++) if (status[i] !== 200) refused++;
    console.log(
      JSON.stringify(
        {
          machine: machine(),
          date: new Date().toISOString().slice(0, 10),
          rate,
          seconds,
          webhooks: total,
          acked: acked.size,
          notAckedMetaWouldRetry: refused,
          storedMessages: rows.length,
          missingAfter200: missing,
          doubled,
          eventsNotProcessed: unprocessed,
          recovery,
          ackP99PerSecondMs: perSecond.map((v) => Math.round(v)),
        },
        null,
        2,
      ),
    );
  } finally {
    for (const child of children) child.kill('SIGKILL');
    redis.kill('SIGKILL');
    await sleep(500);
    postgres.stop();
  }
}

await main();
