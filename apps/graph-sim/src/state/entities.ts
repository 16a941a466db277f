/** The simulated world's records. Field names are ours; Meta's shapes are produced by the routes. */

export interface App {
  id: string;
  secret: string;
  name: string;
  callbackUrl?: string;
  verifyToken?: string;
}

export interface Business {
  id: string;
  name: string;
}

export interface WabaSubscription {
  appId: string;
  overrideCallbackUrl?: string;
  verifyToken?: string;
}

export interface Waba {
  id: string;
  businessId: string;
  name: string;
  currency: string;
  timezoneId: string;
  namespace: string;
  subscriptions: Map<string, WabaSubscription>;
}

export type QualityRating = 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
export type LimitTier = 'TIER_250' | 'TIER_2K' | 'TIER_10K' | 'TIER_100K' | 'TIER_UNLIMITED';
export const TIER_LIMITS: Record<LimitTier, number> = {
  TIER_250: 250,
  TIER_2K: 2000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
  TIER_UNLIMITED: Number.POSITIVE_INFINITY,
};

export interface PhoneNumber {
  id: string;
  wabaId: string;
  /** Digits only, as webhooks' `metadata.display_phone_number` carries it. */
  digits: string;
  display: string;
  countryCode: string;
  verifiedName: string;
  qualityRating: QualityRating;
  throughputLevel: 'STANDARD' | 'HIGH';
  /** Overrides the configured rate for this number (tests use small values). */
  throughputPerSecond?: number;
  limitTier: LimitTier;
  codeVerificationStatus: 'VERIFIED' | 'NOT_VERIFIED' | 'EXPIRED';
  nameStatus: 'APPROVED' | 'PENDING_REVIEW' | 'DECLINED' | 'NONE';
  registered: boolean;
  pin?: string;
  /** Times of register/deregister calls, for the 10-per-72h limit. */
  registerCalls: number[];
}

export interface Customer {
  waId: string;
  name: string;
  /** Business-scoped user id, when the user hides the number behind a username. */
  userId?: string;
  /** Whether messages to this customer reach the phone (delivered) and get read automatically. */
  delivers: boolean;
  autoRead: boolean;
  /** Businesses whose marketing messages this user stopped. */
  marketingStopped: Set<string>;
  inbox: ReceivedMessage[];
}

export interface ReceivedMessage {
  id: string;
  phoneNumberId: string;
  type: string;
  content: Record<string, unknown>;
  status: MessageStatus;
  receivedAt: number;
  errors?: number[];
}

export type MessageStatus = 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';
export type PricingCategory = 'marketing' | 'utility' | 'authentication' | 'service';

export interface SentMessage {
  id: string;
  phoneNumberId: string;
  wabaId: string;
  to: string;
  type: string;
  body: Record<string, unknown>;
  category: PricingCategory;
  status: MessageStatus;
  createdAt: number;
  bizOpaque?: string;
  /** A `delivered` or `read` status already carried `pricing`: Meta puts it on only one of the two. */
  finalPricingSent?: boolean;
  /** The recipient's inbox copy, so status changes show on the control API as well. */
  received?: ReceivedMessage;
}

export interface Token {
  token: string;
  appId: string;
  kind: 'SYSTEM_USER' | 'USER' | 'APP';
  userId: string;
  businessId?: string;
  /** WABAs this token may manage and message; undefined means every WABA (an admin token). */
  wabaIds?: string[];
  issuedAt: number;
  expiresAt?: number;
}

export interface SignupCode {
  code: string;
  appId: string;
  businessId: string;
  wabaId: string;
  phoneNumberId?: string;
  expiresAt: number;
  used: boolean;
}

export type TemplateStatus =
  | 'PENDING'
  | 'APPROVED'
  | 'REJECTED'
  | 'PAUSED'
  | 'DISABLED'
  | 'IN_APPEAL'
  | 'DELETED'
  | 'ARCHIVED';

export interface Template {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  parameterFormat: 'POSITIONAL' | 'NAMED';
  components: Record<string, unknown>[];
  status: TemplateStatus;
  rejectedReason: string;
  createdAt: number;
  /** A status forced through the control API before review ends. */
  forcedOutcome?: { status: TemplateStatus; reason?: string };
}

export interface Media {
  id: string;
  phoneNumberId: string;
  mimeType: string;
  sha256: string;
  bytes: Buffer;
  filename?: string;
  createdAt: number;
}

export interface InboundRecord {
  id: string;
  phoneNumberId: string;
  from: string;
  type: string;
  at: number;
  /** When the business marked it read (the customer sees blue ticks). */
  readAt?: number;
  /** The typing indicator shows until this time. */
  typingUntil?: number;
  message: Record<string, unknown>;
}
