import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach } from 'node:test';
import { type RunningGraphSim, type SimConfigInput, startGraphSim } from '../src/index.js';

/** Test harness: a simulator on a free port, a webhook receiver, and small HTTP helpers. */

export const V = 'v23.0';
export const FAST: SimConfigInput = {
  statuses: { sentDelayMs: 5, deliveredDelayMs: 15, readDelayMs: 25 },
  templates: { reviewDelayMs: 20 },
  webhooks: { retryInitialMs: 30, retryFactor: 2 },
};

export interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  json: WebhookPayload;
}

export interface WebhookPayload {
  object: string;
  entry: {
    id: string;
    time?: number;
    changes: {
      field: string;
      value: Record<string, unknown> & { statuses?: Status[]; messages?: Inbound[] };
    }[];
  }[];
}
export interface Status {
  id: string;
  status: string;
  timestamp: string;
  recipient_id: string;
  pricing?: { billable: boolean; pricing_model: string; type: string; category: string };
  errors?: { code: number; title: string; message?: string; error_data: { details: string } }[];
  conversation?: Record<string, unknown>;
}
export interface Inbound {
  id: string;
  from: string;
  type: string;
  timestamp: string;
  [k: string]: unknown;
}

export class Receiver {
  readonly received: Received[] = [];
  /** HTTP status the receiver answers with; tests flip it to force retries. */
  status = 200;
  verifyToken = 'verify-me';
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'GET') {
        const ok =
          u.searchParams.get('hub.mode') === 'subscribe' &&
          u.searchParams.get('hub.verify_token') === this.verifyToken;
        res.writeHead(ok ? 200 : 403).end(ok ? (u.searchParams.get('hub.challenge') ?? '') : 'forbidden');
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        if (this.status === 200)
          this.received.push({ headers: req.headers, raw, json: JSON.parse(raw.toString()) });
        res.writeHead(this.status).end();
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhook`;
    return this;
  }

  clear(): void {
    this.received.length = 0;
  }

  statuses(): Status[] {
    return this.received.flatMap((r) =>
      r.json.entry.flatMap((e) => e.changes.flatMap((c) => c.value.statuses ?? [])),
    );
  }

  messages(): Inbound[] {
    return this.received.flatMap((r) =>
      r.json.entry.flatMap((e) => e.changes.flatMap((c) => c.value.messages ?? [])),
    );
  }

  changes(field: string): Record<string, unknown>[] {
    return this.received.flatMap((r) =>
      r.json.entry.flatMap((e) => e.changes.filter((c) => c.field === field).map((c) => c.value)),
    );
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.server?.closeAllConnections();
      this.server?.close(() => r());
    });
  }
}

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

// biome-ignore lint/suspicious/noExplicitAny: test replies are read loosely; assertions check the shapes.
type Loose = any;

export class Client {
  constructor(readonly base: string) {}

  async call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; form?: FormData } = {},
  ): Promise<Reply<Loose>> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | FormData | undefined;
    if (options.form) body = options.form;
    else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const res = await fetch(this.base + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // binary or text bodies stay as text
    }
    return { status: res.status, body: parsed };
  }

  graph(method: string, path: string, token: string | undefined, body?: unknown): Promise<Reply<Loose>> {
    return this.call(method, `/${V}${path}`, { token, body });
  }

  async control(method: string, path: string, body?: unknown): Promise<Loose> {
    const r = await this.call(method, `/_sim${path}`, { body });
    if (r.status >= 300) throw new Error(`control ${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}

export interface World {
  appId: string;
  secret: string;
  businessId: string;
  wabaId: string;
  phoneId: string;
  display: string;
  token: string;
  customer: string;
}

let seq = 0;

/** A subscribed app, a WABA with one registered number, one customer and a token for the WABA. */
export async function setupWorld(
  c: Client,
  receiver: Receiver,
  extra: { throughput?: number } = {},
): Promise<World> {
  seq += 1;
  const app = await c.control('POST', '/apps', {
    callback_url: receiver.url,
    verify_token: receiver.verifyToken,
  });
  const business = await c.control('POST', '/businesses', { name: 'Acme' });
  const waba = await c.control('POST', '/wabas', { business_id: business.id, subscribed_app_ids: [app.id] });
  const display = `1555010${String(seq).padStart(4, '0')}`;
  const number = await c.control('POST', '/phone-numbers', {
    waba_id: waba.id,
    display_phone_number: display,
    throughput_per_second: extra.throughput,
  });
  const customer = `4477009${String(seq).padStart(5, '0')}`;
  await c.control('POST', '/customers', { wa_id: customer, name: 'Zoë Ñúñez' });
  const token = await c.control('POST', '/tokens', { app_id: app.id, waba_ids: [waba.id] });
  return {
    appId: app.id,
    secret: app.secret,
    businessId: business.id,
    wabaId: waba.id,
    phoneId: number.id,
    display,
    token: token.access_token,
    customer,
  };
}

export async function startAll(
  config: SimConfigInput = FAST,
): Promise<{ sim: RunningGraphSim; c: Client; rx: Receiver }> {
  const sim = await startGraphSim({ port: 0, config });
  const rx = await new Receiver().start();
  return { sim, c: new Client(sim.url), rx };
}

/**
 * One simulator and webhook receiver for a test file, reset before each test; `ready` gets them (and,
 * unless `world: false`, a fresh business, WABA, number and customer) before every test.
 */
export function useSimulator(
  ready: (s: { c: Client; rx: Receiver; w: World }) => void,
  options: { world?: boolean; config?: SimConfigInput } = {},
): void {
  let started: Awaited<ReturnType<typeof startAll>> | undefined;
  before(async () => {
    started = await startAll(options.config);
  });
  after(async () => {
    await started?.sim.close();
    await started?.rx.close();
  });
  beforeEach(async () => {
    if (!started) throw new Error('the simulator did not start');
    const { c, rx } = started;
    await c.control('POST', '/reset');
    rx.clear();
    rx.status = 200;
    // Files that build their own world never read `w`.
    const w = options.world === false ? (undefined as unknown as World) : await setupWorld(c, rx);
    ready({ c, rx, w });
  });
}

export async function waitFor<T>(
  probe: () => T | undefined | false,
  what: string,
  timeoutMs = 3000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The customer writes first, opening the 24-hour window. */
export async function openWindow(c: Client, w: World, body = 'hi'): Promise<Inbound> {
  const r = await c.control('POST', `/customers/${w.customer}/send`, {
    phone_number_id: w.phoneId,
    type: 'text',
    text: { body },
  });
  return r.message;
}

export function text(w: World, body: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: `+${w.customer}`,
    type: 'text',
    text: { body },
    ...extra,
  };
}
