import http from 'node:http';

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
}): Promise<OpenLoopResult> {
  const isOk = options.isOk ?? ((status: number) => status === 200);
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const latencies = new Float64Array(total).fill(Number.NaN);
  let ok = 0;
  let failed = 0;
  let done = 0;
  const start = performance.now() + 5;

  await new Promise<void>((resolve) => {
    let next = 0;
    const finish = () => {
      done++;
      if (done === total) resolve();
    };
    const fire = (i: number, intended: number) => {
      const { body, headers } = options.request(i);
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies[i] = performance.now() - intended;
            if (isOk(res.statusCode ?? 0)) ok++;
            else failed++;
            options.onResponse?.(i, res.statusCode ?? 0, latencies[i]!);
            finish();
          });
        },
      );
      req.on('error', () => {
        failed++;
        latencies[i] = performance.now() - intended;
        options.onResponse?.(i, 0, latencies[i]!);
        finish();
      });
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        fire(next, start + next * interval);
        next++;
      }
      if (next >= total) return;
      // Sleep until the next request is due instead of spinning: on a small machine a busy-waiting
      // generator takes a whole core from the system it measures. Timers fire ~1 ms late at worst,
      // and latency is still counted from the intended time.
      const wait = start + next * interval - performance.now();
      if (wait >= 1) setTimeout(tick, Math.floor(wait));
      else setImmediate(tick);
    };
    setTimeout(tick, 5);
  });
  agent.destroy();
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort();
  return { sent: total, ok, failed, latencies, achievedRate: total / elapsed };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
