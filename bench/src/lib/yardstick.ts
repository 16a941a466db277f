import { autocannon } from './autocannon.js';
import { freePort, spawnTs, waitForOk } from './processes.js';

/**
 * How fast this machine is right now: requests/s that a bare Fastify route answering 200 reaches under
 * autocannon (100 connections, 1 KB POSTs) for a few seconds. The VMs these benchmarks run on vary by 2×
 * within an hour, so a latency figure means little without the yardstick taken next to it.
 */
export async function yardstick(seconds = 3): Promise<number> {
  const port = await freePort();
  const bare = spawnTs('bench/src/lib/bare-server.ts', [], { PORT: String(port) });
  try {
    await waitForOk(`http://127.0.0.1:${port}/health`);
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/webhooks/whatsapp`,
      connections: 100,
      duration: seconds,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(1000) }),
    });
    return Math.round(result.requests.average);
  } finally {
    bare.kill('SIGTERM');
  }
}
