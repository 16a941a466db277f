/**
 * Sends per second the Graph API simulator accepts (`POST /{phone-number-id}/messages`, text, limits
 * off). The simulator runs in a child process, exactly as `npm run sim` starts it, and autocannon loads
 * it from this process, so the generator's CPU is not counted against the server's event loop.
 *
 *   node --import tsx bench/src/graph-sim-sends.ts [--duration 10] [--connections 64]
 *
 * Scenario "no subscriber": no app is subscribed, so no webhooks are built (the bare send path).
 * Scenario "webhooks on": every accepted message also produces sent/delivered/read status webhooks,
 * delivered to a receiver in this process, as in the platform's benchmarks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type AutocannonResult, autocannon } from './lib/autocannon.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const duration = arg('duration', 10);
const connections = arg('connections', 64);

async function startSimulator(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/graph-sim/src/main.ts'], {
    cwd: root,
    env: { ...process.env, GRAPH_SIM_PORT: '0', GRAPH_SIM_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { url, child };
}

async function control(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, string>> {
  const res = await fetch(`${base}/_sim${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, string>;
}

async function scenario(
  base: string,
  webhooks: boolean,
): Promise<{ result: AutocannonResult; received: number; statuses: number }> {
  await control(base, 'POST', '/reset');
  await control(base, 'PATCH', '/config', { limitsEnabled: false });
  let received = 0;
  let statuses = 0;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received += 1;
      // Each status item carries one recipient_id; counting them avoids parsing every payload.
      statuses += Buffer.concat(chunks).toString('latin1').split('"recipient_id"').length - 1;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const callback = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  const app = await control(base, 'POST', '/apps', webhooks ? { callback_url: callback } : {});
  const business = await control(base, 'POST', '/businesses', {});
  const waba = await control(base, 'POST', '/wabas', {
    business_id: business.id,
    subscribed_app_ids: webhooks ? [app.id] : [],
  });
  const number = await control(base, 'POST', '/phone-numbers', { waba_id: waba.id });
  await control(base, 'POST', '/customers', { wa_id: '15550009999' });
  await control(base, 'POST', '/customers/15550009999/send', {
    phone_number_id: number.id,
    type: 'text',
    text: { body: 'open the window' },
  });
  const token = await control(base, 'POST', '/tokens', { app_id: app.id, waba_ids: [waba.id] });
  const options = {
    url: `${base}/v23.0/${number.id}/messages`,
    method: 'POST',
    headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+15550009999',
      type: 'text',
      text: { body: 'Your order #1234 has shipped. Olá! 📦' },
    }),
    connections,
    pipelining: 1,
  };
  await autocannon({ ...options, duration: 2 }); // warm-up: JIT and sockets
  const result = await autocannon({ ...options, duration });
  // Let the last statuses (read after 1.5 s) go out before counting.
  await new Promise((r) => setTimeout(r, webhooks ? 4000 : 0));
  receiver.close();
  return { result, received, statuses };
}

const { url, child } = await startSimulator();
try {
  const cpu =
    /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? '?';
  console.log(
    `machine: ${cpus().length} CPUs, ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
  );
  console.log(
    `date: ${new Date().toISOString()}; ${connections} connections, ${duration} s per run, pipelining 1`,
  );
  console.log(
    '| scenario | sends/s (mean) | latency p50 ms | latency p99 ms | total sends | non-2xx | errors | webhook POSTs / status updates received |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const webhooks of [false, true]) {
    const { result, received, statuses } = await scenario(url, webhooks);
    const r = result;
    console.log(
      `| ${webhooks ? 'webhooks on (3 statuses/send)' : 'no subscriber'} | ${Math.round(r.requests.mean)} | ${r.latency.p50} | ${r.latency.p99} | ${r.requests.total} | ${r.non2xx} | ${r.errors + r.timeouts} | ${webhooks ? `${received} / ${statuses}` : '-'} |`,
    );
  }
} finally {
  child.kill('SIGTERM');
}
