import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { channels, wabas } from '../../../src/modules/channels/channels.tables.js';
import { newId } from '../../../src/platform/ids.js';
import type { TestApp } from '../../helpers/app.js';
import type { SimWorld } from '../../helpers/sim-world.js';

/**
 * A pass-through proxy between the platform and the simulator that records every Graph call and can make
 * a chosen one fail: just before forwarding a matching call it arms the simulator's own `server-error`
 * fault, so the simulator answers that call with a 500 (faults are not aimed at paths by themselves).
 */
export interface GraphProxy {
  url: string;
  calls: string[];
  /** Makes the next `count` calls whose "METHOD /path" matches fail with the simulator's 500. */
  failNext(pattern: RegExp, count?: number): void;
  count(pattern: RegExp): number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startGraphProxy(world: SimWorld): Promise<GraphProxy> {
  const calls: string[] = [];
  const rules: { pattern: RegExp; left: number }[] = [];
  const server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const path = new URL(req.url ?? '/', 'http://proxy').pathname;
      const call = `${req.method} ${path}`;
      calls.push(call);
      const rule = rules.find((r) => r.left > 0 && r.pattern.test(call));
      if (rule) {
        rule.left -= 1;
        await world.control('POST', '/_sim/faults', { kind: 'server-error', status: 500, count: 1 });
      }
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'authorization']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const upstream = await fetch(`${world.sim.url}${req.url}`, {
        method: req.method,
        headers,
        body: body.length > 0 ? body : undefined,
      });
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } catch (error) {
      res.writeHead(502).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    failNext(pattern, count = 1) {
      rules.push({ pattern, left: count });
    },
    count: (pattern) => calls.filter((c) => pattern.test(c)).length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let numberSeq = 0;
/** A display number no other test of this process uses. */
export function uniqueDisplayNumber(): string {
  numberSeq += 1;
  const tail = `${process.pid % 1000}${numberSeq}`.padStart(7, '0').slice(-7);
  return `+1 555-${tail.slice(0, 3)}-${tail.slice(3)}`;
}

/** What Embedded Signup hands the browser: a code plus the WABA and a new, unregistered number. */
export async function signupCode(world: SimWorld, wabaId = world.wabaId) {
  return world.control<{ code: string; waba_id: string; phone_number_id: string; business_id: string }>(
    'POST',
    '/_sim/signup/complete',
    {
      app_id: world.appId,
      business_id: world.businessId,
      waba_id: wabaId,
      display_phone_number: uniqueDisplayNumber(),
      verified_name: 'Masala Dosa Co',
    },
  );
}

/** A WABA of its own in the simulator (subscribed to the app), with one number and a token for it. */
export async function simWaba(world: SimWorld, options: { registered?: boolean; expiresIn?: number } = {}) {
  const waba = await world.control<{ id: string }>('POST', '/_sim/wabas', {
    business_id: world.businessId,
    name: 'Fixture WABA',
    subscribed_app_ids: [world.appId],
  });
  const number = await world.control<{ id: string; display_phone_number: string }>(
    'POST',
    '/_sim/phone-numbers',
    {
      waba_id: waba.id,
      display_phone_number: uniqueDisplayNumber(),
      verified_name: 'Fixture Foods',
      registered: options.registered ?? false,
    },
  );
  const { access_token } = await world.control<{ access_token: string }>('POST', '/_sim/tokens', {
    app_id: world.appId,
    business_id: world.businessId,
    waba_ids: [waba.id],
    ...(options.expiresIn ? { expires_in: options.expiresIn } : {}),
  });
  return {
    wabaId: waba.id,
    phoneNumberId: number.id,
    displayPhoneNumber: number.display_phone_number,
    token: access_token,
  };
}

/** A connected channel written straight to the database (for routes that need one to exist). */
export async function seedChannel(t: TestApp, world: SimWorld, workspaceId: string) {
  const sim = await simWaba(world, { registered: true });
  const tokenSecretId = await t.platform.vault.put(t.platform.db, workspaceId, 'waba_token', sim.token);
  const now = new Date();
  const [waba] = await t.platform.db
    .insert(wabas)
    .values({ id: newId('waba'), workspaceId, externalId: sim.wabaId, tokenSecretId, lastSyncedAt: now })
    .returning();
  const [channel] = await t.platform.db
    .insert(channels)
    .values({
      id: newId('channel'),
      workspaceId,
      wabaId: waba!.id,
      phoneNumberId: sim.phoneNumberId,
      displayPhoneNumber: sim.displayPhoneNumber,
      status: 'connected',
      lastSyncedAt: now,
    })
    .returning();
  return { ...sim, channelId: channel!.id, wabaRowId: waba!.id, tokenSecretId };
}

export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
