import { randomBytes } from 'node:crypto';
import type { SimConfigInput } from '@openwaba/graph-sim';
import { type RunningGraphSim, startGraphSim } from '@openwaba/graph-sim';

/** Fast simulator timings for tests: statuses and reviews in milliseconds, quick webhook retries. */
export const FAST_SIM: SimConfigInput = {
  statuses: { sentDelayMs: 5, deliveredDelayMs: 15, readDelayMs: 25 },
  templates: { reviewDelayMs: 20 },
  webhooks: { retryInitialMs: 50, retryFactor: 2 },
};

export interface SimWorld {
  sim: RunningGraphSim;
  appId: string;
  appSecret: string;
  verifyToken: string;
  businessId: string;
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
  /** Graph base URL with version, e.g. http://127.0.0.1:4321/v23.0 */
  graph: string;
  control<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  addCustomer(waId: string, name: string): Promise<void>;
  /** Makes a virtual customer send a message of any inbound type to the business number. */
  customerSends(waId: string, type: string, content: Record<string, unknown>): Promise<{ id: string }>;
  /** A business token for this app and WABA, as Embedded Signup would hand out. */
  issueToken(): Promise<string>;
  /** Points the app's webhooks at the platform under test. */
  setCallback(url: string): Promise<void>;
  /** Environment for createTestApp: this app's secrets and the simulator as the Graph API. */
  platformEnv(): Record<string, string>;
  close(): Promise<void>;
}

/**
 * A simulator with one app (its webhooks pointed at `callbackUrl`), one business, one WABA subscribed to
 * the app, and one registered phone number. Secrets are random per test file.
 */
export async function createSimWorld(options: { config?: SimConfigInput } = {}): Promise<SimWorld> {
  const sim = await startGraphSim({ port: 0, config: options.config ?? FAST_SIM });
  const appId = `7${Date.now()}`.slice(0, 15);
  const appSecret = randomBytes(16).toString('hex');
  const verifyToken = randomBytes(8).toString('hex');
  const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator ${method} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
  await control('POST', '/_sim/apps', { id: appId, secret: appSecret, verify_token: verifyToken });
  const business = await control<{ id: string }>('POST', '/_sim/businesses', { name: 'Chai Point' });
  const waba = await control<{ id: string }>('POST', '/_sim/wabas', {
    business_id: business.id,
    name: 'Chai Point WABA',
    subscribed_app_ids: [appId],
  });
  const number = await control<{ id: string; display_phone_number: string }>('POST', '/_sim/phone-numbers', {
    waba_id: waba.id,
    display_phone_number: '+91 80 4718 2000',
    verified_name: 'Chai Point',
    registered: true,
  });
  return {
    sim,
    appId,
    appSecret,
    verifyToken,
    businessId: business.id,
    wabaId: waba.id,
    phoneNumberId: number.id,
    displayPhoneNumber: number.display_phone_number,
    graph: `${sim.url}/v23.0`,
    control,
    async addCustomer(waId, name) {
      await control('POST', '/_sim/customers', { wa_id: waId, name });
    },
    async customerSends(waId, type, content) {
      const res = await control<{ message: { id: string } }>('POST', `/_sim/customers/${waId}/send`, {
        phone_number_id: number.id,
        type,
        [type]: content,
      });
      return res.message;
    },
    async issueToken() {
      const res = await control<{ access_token: string }>('POST', '/_sim/tokens', {
        app_id: appId,
        business_id: business.id,
        waba_ids: [waba.id],
      });
      return res.access_token;
    },
    async setCallback(url) {
      await control('PATCH', `/_sim/apps/${appId}`, { callback_url: url });
    },
    platformEnv: () => ({
      META_APP_ID: appId,
      META_APP_SECRET: appSecret,
      META_VERIFY_TOKEN: verifyToken,
      GRAPH_API_BASE_URL: sim.url,
    }),
    close: () => sim.close(),
  };
}
