import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { metaJsonStringify, signBody } from '@openwaba/cloud-api';
import type { SimClock } from '../clock.js';
import type { SimConfig } from '../config.js';
import type { Faults } from '../faults.js';
import type { World } from '../state/world.js';
import { buildEnvelope, type Update } from './payload.js';

/**
 * Sends webhooks the way Meta does: to each app subscribed to the WABA, signed over the exact bytes
 * sent, retried with exponential backoff on anything but 200, at least once (duplicates on request).
 * Updates are queued and sent off the request path, so a send's response never waits on a webhook.
 */
export interface DeliveryLogEntry {
  delivery_id: string;
  app_id: string;
  url: string;
  attempt: number;
  at: string;
  outcome: 'delivered' | 'failed' | 'dropped' | 'abandoned';
  status_code?: number;
  error?: string;
  next_attempt_at?: string;
  duplicate?: boolean;
  updates: number;
}

interface Target {
  appId: string;
  url: string;
  secret: string;
}

interface Delivery {
  id: string;
  target: Target;
  body: string;
  updates: number;
  attempt: number;
  firstAt: number;
  duplicate: boolean;
}

const LOG_LIMIT = 5000;

export class Deliverer {
  private seq = 0;
  private readonly buffers = new Map<string, { target: Target; updates: Update[]; scheduled: boolean }>();
  private readonly waiting: Delivery[] = [];
  private inFlight = 0;
  private readonly log: DeliveryLogEntry[] = [];
  private readonly bodies = new Map<string, string>();
  /** Updates that arrived while every delivery slot was busy; sent as one batch when a slot frees. */
  private readonly backlog = new Map<string, { target: Target; updates: Update[] }>();
  private pendingRetries = 0;
  private generation = 0;
  // node:http with keep-alive costs far less per POST than fetch, which matters at thousands per second.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });

  constructor(
    private readonly world: World,
    private readonly clock: SimClock,
    private readonly config: () => SimConfig,
    private readonly faults: Faults,
    private readonly random: () => number,
  ) {}

  close(): void {
    this.reset();
    this.agent.destroy();
    this.httpsAgent.destroy();
  }

  reset(): void {
    this.generation += 1;
    this.buffers.clear();
    this.backlog.clear();
    this.waiting.length = 0;
    this.log.length = 0;
    this.bodies.clear();
    this.pendingRetries = 0;
  }

  /** Queues one update for every app subscribed to its WABA. Cheap when nobody listens. */
  enqueue(update: Update): void {
    const targets = this.targetsOf(update.wabaId);
    if (targets.length === 0) return;
    const { batchWindowMs, batchMaxItems } = this.config().webhooks;
    for (const target of targets) {
      const key = `${target.appId}|${target.url}`;
      if (batchWindowMs === 0) {
        // Under load Meta packs many updates into one POST; here that happens when all slots are busy.
        if (this.inFlight < this.config().webhooks.concurrency) this.dispatch(target, [update]);
        else this.addToBacklog(key, target, update);
        continue;
      }
      let buffer = this.buffers.get(key);
      if (!buffer) {
        buffer = { target, updates: [], scheduled: false };
        this.buffers.set(key, buffer);
      }
      buffer.updates.push(update);
      if (buffer.updates.length >= batchMaxItems) this.flushKey(key);
      else if (!buffer.scheduled) {
        buffer.scheduled = true;
        const generation = this.generation;
        this.clock.schedule(batchWindowMs, () => {
          if (generation === this.generation) this.flushKey(key);
        });
      }
    }
  }

  private addToBacklog(key: string, target: Target, update: Update): void {
    let entry = this.backlog.get(key);
    if (!entry) {
      entry = { target, updates: [] };
      this.backlog.set(key, entry);
    }
    entry.updates.push(update);
  }

  /** Sends every batch now (control API: tests that do not want to wait for the window). */
  flush(): void {
    for (const key of [...this.buffers.keys()]) this.flushKey(key);
  }

  entries(): DeliveryLogEntry[] {
    return [...this.log];
  }

  body(deliveryId: string): string | undefined {
    return this.bodies.get(deliveryId);
  }

  stats(): { queued: number; in_flight: number; buffered: number; retries_pending: number } {
    let buffered = 0;
    for (const b of this.buffers.values()) buffered += b.updates.length;
    for (const b of this.backlog.values()) buffered += b.updates.length;
    return {
      queued: this.waiting.length,
      in_flight: this.inFlight,
      buffered,
      retries_pending: this.pendingRetries,
    };
  }

  private targetsOf(wabaId: string): Target[] {
    const waba = this.world.wabas.get(wabaId);
    if (!waba || waba.subscriptions.size === 0) return [];
    const targets: Target[] = [];
    for (const sub of waba.subscriptions.values()) {
      const app = this.world.apps.get(sub.appId);
      const url = sub.overrideCallbackUrl ?? app?.callbackUrl;
      if (app && url) targets.push({ appId: app.id, url, secret: app.secret });
    }
    return targets;
  }

  private flushKey(key: string): void {
    const buffer = this.buffers.get(key);
    if (!buffer) return;
    this.buffers.delete(key);
    const max = this.config().webhooks.batchMaxItems;
    for (let i = 0; i < buffer.updates.length; i += max) {
      this.dispatch(buffer.target, buffer.updates.slice(i, i + max));
    }
  }

  private dispatch(target: Target, updates: Update[]): void {
    // Bytes are fixed once: retries and duplicates resend exactly these, as Meta does.
    const body = metaJsonStringify(buildEnvelope(updates));
    const now = this.clock.now();
    this.seq += 1;
    const delivery: Delivery = {
      id: `whd_${this.seq}`,
      target,
      body,
      updates: updates.length,
      attempt: 0,
      firstAt: now,
      duplicate: false,
    };
    this.remember(delivery);
    this.submit(delivery);
    if (this.random() < this.config().statuses.duplicateRate) {
      this.seq += 1;
      const copy = { ...delivery, id: `whd_${this.seq}`, duplicate: true };
      this.remember(copy);
      this.submit(copy);
    }
  }

  private remember(delivery: Delivery): void {
    this.bodies.set(delivery.id, delivery.body);
    if (this.bodies.size > LOG_LIMIT) {
      const oldest = this.bodies.keys().next().value;
      if (oldest !== undefined) this.bodies.delete(oldest);
    }
  }

  private submit(delivery: Delivery): void {
    if (this.inFlight >= this.config().webhooks.concurrency) {
      this.waiting.push(delivery);
      return;
    }
    void this.attempt(delivery);
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const generation = this.generation;
    delivery.attempt += 1;
    const base = { delivery_id: delivery.id, app_id: delivery.target.appId, url: delivery.target.url };
    if (this.faults.take('drop-webhooks')) {
      this.record({
        ...base,
        attempt: delivery.attempt,
        outcome: 'dropped',
        duplicate: delivery.duplicate,
        updates: delivery.updates,
      });
      return;
    }
    this.inFlight += 1;
    let statusCode: number | undefined;
    let error: string | undefined;
    try {
      if (this.faults.has('callback-down', (f) => !f.app_id || f.app_id === delivery.target.appId)) {
        throw new Error('connect ECONNREFUSED (callback down, simulated)');
      }
      statusCode = await this.post(delivery);
    } catch (e) {
      error =
        e instanceof Error
          ? e.cause instanceof Error
            ? `${e.message}: ${e.cause.message}`
            : e.message
          : String(e);
    } finally {
      this.inFlight -= 1;
    }
    if (generation !== this.generation) return;
    const entry: Omit<DeliveryLogEntry, 'at'> = {
      ...base,
      attempt: delivery.attempt,
      outcome: statusCode === 200 ? 'delivered' : 'failed',
      status_code: statusCode,
      error,
      duplicate: delivery.duplicate,
      updates: delivery.updates,
    };
    if (statusCode !== 200) this.retry(delivery, entry);
    else this.record(entry);
    this.drain();
  }

  /** Fills free slots: queued deliveries (retries, batches) first, then the backlog as batches. */
  private drain(): void {
    const max = this.config().webhooks.concurrency;
    while (this.inFlight < max) {
      const next = this.waiting.shift();
      if (next) {
        void this.attempt(next);
        continue;
      }
      const first = this.backlog.entries().next();
      if (first.done) return;
      const [key, entry] = first.value;
      const limit = this.config().webhooks.batchMaxItems;
      const updates = entry.updates.splice(0, limit);
      if (entry.updates.length === 0) this.backlog.delete(key);
      this.dispatch(entry.target, updates);
    }
  }

  private post(delivery: Delivery): Promise<number> {
    const url = new URL(delivery.target.url);
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : request;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method: 'POST',
          agent: secure ? this.httpsAgent : this.agent,
          timeout: this.config().webhooks.timeoutMs,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(delivery.body),
            'user-agent': 'facebookexternalua',
            'x-hub-signature': `sha1=${createHmac('sha1', delivery.target.secret).update(delivery.body).digest('hex')}`,
            'x-hub-signature-256': signBody(delivery.body, delivery.target.secret),
          },
        },
        (res) => {
          // Drain so the keep-alive socket is reused.
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(delivery.body);
    });
  }

  private retry(delivery: Delivery, entry: Omit<DeliveryLogEntry, 'at'>): void {
    const c = this.config().webhooks;
    const delay = Math.min(c.retryMaxDelayMs, c.retryInitialMs * c.retryFactor ** (delivery.attempt - 1));
    const now = this.clock.now();
    if (now + delay - delivery.firstAt > c.retryMaxAgeMs) {
      this.record({ ...entry, outcome: 'abandoned' });
      return;
    }
    this.record({ ...entry, next_attempt_at: new Date(now + delay).toISOString() });
    this.pendingRetries += 1;
    const generation = this.generation;
    this.clock.schedule(delay, () => {
      if (generation !== this.generation) return;
      this.pendingRetries -= 1;
      this.submit(delivery);
    });
  }

  private record(entry: Omit<DeliveryLogEntry, 'at'>): void {
    this.log.push({ ...entry, at: new Date(this.clock.now()).toISOString() });
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
  }
}
