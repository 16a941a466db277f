import { connect, type Socket } from 'node:net';

/**
 * Open-loop load at a fixed arrival rate. Latency is measured from each request's INTENDED send time,
 * so a stalled server is charged for the requests it delayed (no coordinated omission, as wrk2 does).
 */
export interface OpenLoopResult {
  sent: number;
  ok: number;
  failed: number;
  /** Milliseconds, sorted ascending. */
  latencies: Float64Array;
  achievedRate: number;
}

export async function openLoop(options: {
  url: string;
  rate: number;
  seconds: number;
  request(i: number): { body: string; headers: Record<string, string> };
  /** Which answers count as ok (default: 200 only). */
  isOk?: (status: number) => boolean;
  /** Each request's outcome as it ends (status 0: no answer), with its latency from the intended time. */
  onResponse?: (i: number, status: number, latencyMs: number) => void;
  /**
   * Connections kept from an earlier run (a warm-up) to the same URL, as a client's keep-alive agent
   * keeps them: the run then measures the steady state, not a first second of TCP handshakes. Left open.
   */
  pool?: ConnectionPool;
}): Promise<OpenLoopResult> {
  const isOk = options.isOk ?? ((status: number) => status === 200);
  if (options.pool && options.pool.url !== options.url)
    throw new Error('open loop: the pool is for another URL');
  const pool = options.pool ?? new ConnectionPool(options.url);
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const latencies = new Float64Array(total).fill(Number.NaN);
  let ok = 0;
  let failed = 0;
  let done = 0;
  const start = performance.now() + 5;

  await new Promise<void>((resolve) => {
    if (total === 0) return resolve(); // --rate 0 or --seconds 0: nothing to send
    let next = 0;
    const fire = (i: number, intended: number) => {
      const { body, headers } = options.request(i);
      pool.send(body, headers, (status) => {
        latencies[i] = performance.now() - intended;
        if (isOk(status)) ok++;
        else failed++;
        options.onResponse?.(i, status, latencies[i]!);
        done++;
        if (done === total) resolve();
      });
    };
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        fire(next, start + next * interval);
        next++;
      }
      if (next >= total) return;
      // Sleep until the next request is due, at least 1 ms, instead of spinning: on a small machine a
      // busy-waiting generator takes a whole core from the system it measures (at 3,300/s requests are
      // 0.3 ms apart, and looping through setImmediate was exactly that). Requests then leave in small
      // groups up to ~1 ms late, and that lateness is charged to the server: latency counts from the
      // intended time.
      const wait = start + next * interval - performance.now();
      setTimeout(tick, Math.max(1, Math.floor(wait)));
    };
    setTimeout(tick, 5);
  });
  if (!options.pool) pool.close();
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort();
  return { sent: total, ok, failed, latencies, achievedRate: total / elapsed };
}

/**
 * Keep-alive HTTP/1.1 connections driven by hand, one request at a time per connection, up to
 * MAX_CONNECTIONS (as wrk2's `-c`); beyond that, requests wait for a free connection, their latency
 * still counted from the intended time. Node's http client costs ~10× more CPU per request, and on this
 * 2-core machine the generator's CPU is taken from the server it measures: at 3,300 requests/s it used
 * more than the server did. Unbounded, a server stall of 100 ms made the generator open hundreds of
 * connections at once.
 */
const MAX_CONNECTIONS = 256;

export class ConnectionPool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: { text: string; done: (status: number) => void }[] = [];
  private readonly head: string;
  private readonly target: URL;

  constructor(readonly url: string) {
    this.target = new URL(url);
    this.head = `POST ${this.target.pathname}${this.target.search} HTTP/1.1\r\nhost: ${this.target.host}\r\n`;
  }

  send(body: string, headers: Record<string, string>, done: (status: number) => void): void {
    let text = this.head;
    for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}\r\n`;
    text += `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const connection = this.idle.pop() ?? (this.all.size < MAX_CONNECTIONS ? this.open() : undefined);
    if (connection) this.run(connection, text, done);
    else this.waiting.push({ text, done });
  }

  private run(connection: Connection, text: string, done: (status: number) => void): void {
    connection.send(text, (status) => {
      done(status);
      if (!connection.usable) return;
      const next = this.waiting.shift();
      if (next) this.run(connection, next.text, next.done);
      else this.idle.push(connection);
    });
  }

  private open(): Connection {
    const connection = new Connection(this.target, () => {
      this.all.delete(connection);
      const at = this.idle.indexOf(connection);
      if (at >= 0) this.idle.splice(at, 1);
      const next = this.waiting.shift();
      if (next) this.run(this.open(), next.text, next.done);
    });
    this.all.add(connection);
    return connection;
  }

  close(): void {
    this.waiting.length = 0;
    for (const connection of [...this.all]) connection.close();
  }
}

class Connection {
  private readonly socket: Socket;
  private pending?: (status: number) => void;
  private buffered: Buffer = Buffer.alloc(0);
  usable = true;

  constructor(target: URL, onGone: () => void) {
    this.socket = connect({ host: target.hostname, port: Number(target.port) });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    let ended = false;
    const gone = () => {
      if (ended) return;
      ended = true;
      this.usable = false;
      onGone();
      this.finish(0);
    };
    this.socket.on('error', gone);
    this.socket.on('close', gone);
  }

  send(text: string, done: (status: number) => void): void {
    this.pending = done;
    this.socket.write(text);
  }

  /** Answers carry a content-length (Fastify's always do here); chunked bodies are refused loudly. */
  private read(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const headerEnd = this.buffered.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const head = this.buffered.toString('latin1', 0, headerEnd).toLowerCase();
    if (head.includes('transfer-encoding: chunked'))
      throw new Error('open loop: chunked answers are not supported');
    const length = Number(/\r\ncontent-length: *(\d+)/.exec(head)?.[1] ?? 0);
    if (this.buffered.length < headerEnd + 4 + length) return;
    this.buffered = this.buffered.subarray(headerEnd + 4 + length);
    if (head.includes('\r\nconnection: close')) this.usable = false;
    this.finish(Number(head.slice(9, 12)));
  }

  private finish(status: number): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.(status);
  }

  close(): void {
    this.usable = false;
    this.socket.destroy();
  }
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * The p99 of each second's latencies (NaN for a second without any): whether a run's tail is spread
 * out or a few stalls. `bySecond[s]` holds the latencies of requests meant to leave in second s.
 */
export function p99PerSecond(bySecond: readonly number[][]): number[] {
  return bySecond.map((values) => percentile(Float64Array.from(values).sort(), 99));
}
