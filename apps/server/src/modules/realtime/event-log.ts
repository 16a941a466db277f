import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { tickBatched } from '../../platform/redis.js';
import type { StreamEvent } from './realtime.schemas.js';

/**
 * The numbered, recent history of each workspace's events: it gives every event its id (the SSE cursor)
 * and replays what a reconnecting client missed. Ids count up per workspace, so any server process can
 * compare a client's cursor with what it holds. Embedded mode keeps a ring in memory; scale mode a Redis
 * Stream per workspace, numbered by the stream itself.
 *
 * In scale mode every server process receives each event from the bus and asks the log for its id; the
 * first to ask appends it, the others get the same id back (`identity` names the event). Identical events
 * within a few seconds therefore share one id: harmless, since they are notices to re-read, not data.
 */
export interface Sequenced {
  id: string;
  seq: number;
  event: StreamEvent;
}

export interface EventLog {
  /** Numbers the event. Callers must append in the order events arrive: ids follow that order. */
  append(event: StreamEvent, identity: string): Promise<Sequenced>;
  /** The latest id of the workspace: where a client without a cursor starts. */
  head(workspaceId: string): Promise<{ id: string; seq: number }>;
  /**
   * The events after the cursor up to the latest (`head`), or null when the log cannot prove it still
   * holds all of them (trimmed, expired, or a cursor it did not issue).
   */
  since(workspaceId: string, cursor: string): Promise<{ events: Sequenced[]; head: number } | null>;
}

/** How many events a workspace's history keeps (scale mode trims approximately). */
export const MEMORY_LOG_SIZE = 2_000;
export const REDIS_LOG_SIZE = 10_000;

export function memoryEventLog(size = MEMORY_LOG_SIZE): EventLog {
  // A fresh epoch per process: a cursor from before a restart is recognised as foreign, never misread.
  const epoch = randomBytes(3).toString('hex');
  const logs = new Map<string, { seq: number; entries: Sequenced[] }>();
  const logOf = (workspaceId: string) => {
    let log = logs.get(workspaceId);
    if (!log) {
      log = { seq: 0, entries: [] };
      logs.set(workspaceId, log);
    }
    return log;
  };
  const idOf = (seq: number) => `${epoch}-${seq}`;
  return {
    async append(event) {
      const log = logOf(event.workspaceId);
      log.seq += 1;
      const entry = { id: idOf(log.seq), seq: log.seq, event };
      log.entries.push(entry);
      // Trimmed in bulk so appends stay O(1) amortised.
      if (log.entries.length >= 2 * size) log.entries.splice(0, log.entries.length - size);
      return entry;
    },
    async head(workspaceId) {
      const seq = logs.get(workspaceId)?.seq ?? 0;
      return { id: idOf(seq), seq };
    },
    async since(workspaceId, cursor) {
      const match = /^([0-9a-f]+)-(\d+)$/.exec(cursor);
      if (!match || match[1] !== epoch) return null;
      const seq = Number(match[2]);
      const log = logOf(workspaceId);
      if (seq > log.seq) return null;
      const oldest = log.entries[0]?.seq ?? log.seq + 1;
      if (seq + 1 < oldest) return null;
      return { events: log.entries.slice(seq + 1 - oldest), head: log.seq };
    },
  };
}

// KEYS[1] sequence, KEYS[2] stream, KEYS[3] seen marker of this event.
// ARGV: entry, seen ttl ms, stream length, stream ttl ms. Returns the event's number.
const SEQUENCE = `
local known = redis.call('GET', KEYS[3])
if known then return tonumber(known) end
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], seq .. '-1', 'e', ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('SET', KEYS[3], seq, 'PX', ARGV[2])
return seq
`;

/** How long an event's identity is remembered: longer than any server lags behind another. */
const SEEN_TTL_MS = 30_000;
/** A workspace without events for this long loses its history (clients then resync). */
const STREAM_TTL_MS = 24 * 3600_000;

type SequencingRedis = Redis & {
  /** SEQUENCE, sent by its SHA (EVALSHA) once Redis has it. */
  sequenceEvent(...args: (string | number)[]): Promise<number>;
};

export function redisEventLog(connection: Redis, keyPrefix: string, size = REDIS_LOG_SIZE): EventLog {
  const redis = connection as SequencingRedis;
  if (!('sequenceEvent' in redis))
    connection.defineCommand('sequenceEvent', { numberOfKeys: 3, lua: SEQUENCE });
  // The events of one worker batch arrive together and are numbered in one round trip.
  const send = tickBatched(redis);
  // Hash tags keep a workspace's keys in one Redis Cluster slot, as the script needs.
  const key = (workspaceId: string, name: string) => `${keyPrefix}:rt:{${workspaceId}}:${name}`;
  const parse = (cursor: string) => (/^\d+$/.test(cursor) ? Number(cursor) : null);
  return {
    async append(event, identity) {
      const digest = createHash('sha1').update(identity).digest('base64url');
      const keys = [
        key(event.workspaceId, 'seq'),
        key(event.workspaceId, 'log'),
        key(event.workspaceId, `seen:${digest}`),
      ];
      const entry = JSON.stringify(event);
      const seq = Number(
        await send((target) => target.sequenceEvent(...keys, entry, SEEN_TTL_MS, size, STREAM_TTL_MS)),
      );
      return { id: String(seq), seq, event };
    },
    async head(workspaceId) {
      const seq = Number((await redis.get(key(workspaceId, 'seq'))) ?? 0);
      return { id: String(seq), seq };
    },
    async since(workspaceId, cursor) {
      const seq = parse(cursor);
      if (seq === null) return null;
      const head = (await this.head(workspaceId)).seq;
      if (seq > head || head - seq > size) return null;
      if (seq === head) return { events: [], head };
      const entries = await redis.xrange(key(workspaceId, 'log'), `${seq + 1}-1`, `${head}-1`);
      // Trimmed (or expired) from the front: the first missed event is gone.
      if (entries.length !== head - seq) return null;
      const events = entries.map(([id, fields]) => {
        const n = Number(id.slice(0, id.indexOf('-')));
        return { id: String(n), seq: n, event: JSON.parse(fields[1] as string) as StreamEvent };
      });
      return { events, head };
    },
  };
}
