import type {
  App,
  Business,
  Customer,
  InboundRecord,
  LimitTier,
  Media,
  PhoneNumber,
  QualityRating,
  SentMessage,
  SignupCode,
  Template,
  Token,
  Waba,
} from './entities.js';
import { nodeId, opaqueToken } from './ids.js';

export class ConflictError extends Error {}
export class NotFoundError extends Error {}

/** The in-memory world: everything Meta would hold about apps, accounts, users and messages. */
export class World {
  apps = new Map<string, App>();
  businesses = new Map<string, Business>();
  wabas = new Map<string, Waba>();
  numbers = new Map<string, PhoneNumber>();
  customers = new Map<string, Customer>();
  /** Customers reachable by business-scoped user id as well as by number. */
  customersByUserId = new Map<string, Customer>();
  tokens = new Map<string, Token>();
  codes = new Map<string, SignupCode>();
  templates = new Map<string, Template>();
  media = new Map<string, Media>();
  sent = new Map<string, SentMessage>();
  inbound = new Map<string, InboundRecord>();
  /** Last inbound message time per `${phoneNumberId}:${waId}`: the customer service window. */
  lastInbound = new Map<string, number>();
  /** Last click-to-WhatsApp ad reply per `${phoneNumberId}:${waId}`: the free entry point window. */
  lastReferral = new Map<string, number>();

  reset(): void {
    for (const value of Object.values(this)) {
      if (value instanceof Map) value.clear();
    }
  }

  private ensureFree(id: string): void {
    if (
      this.apps.has(id) ||
      this.businesses.has(id) ||
      this.wabas.has(id) ||
      this.numbers.has(id) ||
      this.templates.has(id) ||
      this.media.has(id)
    ) {
      throw new ConflictError(`id ${id} is already taken`);
    }
  }

  createApp(input: {
    id?: string;
    secret?: string;
    name?: string;
    callbackUrl?: string;
    verifyToken?: string;
  }): App {
    const id = input.id ?? nodeId();
    this.ensureFree(id);
    const app: App = {
      id,
      secret: input.secret ?? opaqueToken('', 16),
      name: input.name ?? `Sim app ${id}`,
      callbackUrl: input.callbackUrl,
      verifyToken: input.verifyToken,
    };
    this.apps.set(id, app);
    return app;
  }

  createBusiness(input: { id?: string; name?: string }): Business {
    const id = input.id ?? nodeId();
    this.ensureFree(id);
    const business = { id, name: input.name ?? `Business ${id}` };
    this.businesses.set(id, business);
    return business;
  }

  createWaba(input: {
    id?: string;
    businessId: string;
    name?: string;
    currency?: string;
    timezoneId?: string;
  }): Waba {
    if (!this.businesses.has(input.businessId))
      throw new NotFoundError(`business ${input.businessId} not found`);
    const id = input.id ?? nodeId();
    this.ensureFree(id);
    const waba: Waba = {
      id,
      businessId: input.businessId,
      name: input.name ?? `WABA ${id}`,
      currency: input.currency ?? 'USD',
      timezoneId: input.timezoneId ?? '1',
      namespace: opaqueToken('', 12)
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '0'),
      subscriptions: new Map(),
    };
    this.wabas.set(id, waba);
    return waba;
  }

  createNumber(input: {
    id?: string;
    wabaId: string;
    displayPhoneNumber?: string;
    countryCode?: string;
    verifiedName?: string;
    qualityRating?: QualityRating;
    throughputLevel?: 'STANDARD' | 'HIGH';
    throughputPerSecond?: number;
    limitTier?: LimitTier;
    registered?: boolean;
    pin?: string;
  }): PhoneNumber {
    if (!this.wabas.has(input.wabaId)) throw new NotFoundError(`waba ${input.wabaId} not found`);
    const id = input.id ?? nodeId();
    this.ensureFree(id);
    const digits = (
      input.displayPhoneNumber ?? `1555${String(this.numbers.size + 100).padStart(7, '0')}`
    ).replace(/\D/g, '');
    for (const n of this.numbers.values()) {
      if (n.digits === digits) throw new ConflictError(`display number ${digits} is already taken`);
    }
    const number: PhoneNumber = {
      id,
      wabaId: input.wabaId,
      digits,
      // Graph answers the display number formatted (`+1 555-010-0001`) while webhooks carry bare digits;
      // digits given at creation are formatted so both forms come out as Meta writes them.
      display:
        input.displayPhoneNumber && /[+\s-]/.test(input.displayPhoneNumber)
          ? input.displayPhoneNumber
          : formatDisplay(digits),
      countryCode: input.countryCode ?? (digits.startsWith('1') ? '1' : digits.slice(0, 2)),
      verifiedName: input.verifiedName ?? 'Sim Business',
      qualityRating: input.qualityRating ?? 'GREEN',
      throughputLevel: input.throughputLevel ?? 'STANDARD',
      throughputPerSecond: input.throughputPerSecond,
      limitTier: input.limitTier ?? 'TIER_250',
      codeVerificationStatus: 'VERIFIED',
      nameStatus: 'APPROVED',
      registered: input.registered ?? true,
      pin: input.pin,
      registerCalls: [],
    };
    this.numbers.set(id, number);
    return number;
  }

  createCustomer(input: {
    waId?: string;
    name?: string;
    userId?: string;
    delivers?: boolean;
    autoRead?: boolean;
  }): Customer {
    const waId = (input.waId ?? `1999${String(this.customers.size + 1).padStart(7, '0')}`).replace(/\D/g, '');
    if (this.customers.has(waId)) throw new ConflictError(`customer ${waId} already exists`);
    const customer: Customer = {
      waId,
      name: input.name ?? `Customer ${waId.slice(-4)}`,
      userId: input.userId,
      delivers: input.delivers ?? true,
      autoRead: input.autoRead ?? true,
      marketingStopped: new Set(),
      inbox: [],
    };
    this.customers.set(waId, customer);
    if (customer.userId) this.customersByUserId.set(customer.userId, customer);
    return customer;
  }

  createToken(input: {
    token?: string;
    appId: string;
    kind?: Token['kind'];
    businessId?: string;
    wabaIds?: string[];
    expiresAt?: number;
    now: number;
  }): Token {
    const token: Token = {
      token: input.token ?? opaqueToken('EAAG', 48),
      appId: input.appId,
      kind: input.kind ?? 'SYSTEM_USER',
      userId: nodeId(),
      businessId: input.businessId,
      wabaIds: input.wabaIds,
      issuedAt: input.now,
      expiresAt: input.expiresAt,
    };
    this.tokens.set(token.token, token);
    return token;
  }

  numbersOf(wabaId: string): PhoneNumber[] {
    return [...this.numbers.values()].filter((n) => n.wabaId === wabaId);
  }

  wabaOfNumber(number: PhoneNumber): Waba {
    const waba = this.wabas.get(number.wabaId);
    if (!waba) throw new NotFoundError(`waba ${number.wabaId} missing`);
    return waba;
  }
}

/** `15550100001` → `+1 555-010-0001` for North American numbers; `+digits` otherwise. */
export function formatDisplay(digits: string): string {
  if (digits.length === 11 && digits.startsWith('1')) {
    return `+1 ${digits.slice(1, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}`;
  }
  return `+${digits}`;
}
