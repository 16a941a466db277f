import { z } from 'zod';
import {
  type DebugTokenData,
  debugTokenResponseSchema,
  type OAuthAccessTokenResponse,
  oauthAccessTokenResponseSchema,
  type SubscribedAppsResponse,
  subscribedAppsResponseSchema,
} from './auth.js';
import { GraphResponseError } from './errors.js';
import { GraphHttp, type GraphHttpOptions, type GraphRequest, segment } from './graph-http.js';
import {
  type DownloadedMedia,
  type MediaObject,
  mediaObjectSchema,
  uploadMediaResponseSchema,
} from './media.js';
import {
  type OutboundMessageContent,
  type SendMessageResponse,
  sendMessageResponseSchema,
  successResponseSchema,
  toE164,
} from './messages.js';
import { DEFAULT_PHONE_NUMBER_FIELDS, type PhoneNumber, phoneNumberSchema } from './phone-numbers.js';
import {
  type CreateTemplateRequest,
  type CreateTemplateResponse,
  createTemplateResponseSchema,
  type MessageTemplate,
  messageTemplateSchema,
  type Paging,
  pagingSchema,
  type TemplateStatus,
} from './templates.js';

export type GraphClientOptions = GraphHttpOptions;

/** Who receives a message: a phone number (`to`) or a business-scoped user id (`recipient`). */
export type MessageRecipient = { to: string; recipient?: undefined } | { recipient: string; to?: undefined };

export type SendMessageInput = MessageRecipient &
  OutboundMessageContent & {
    /** Quote an earlier message (a reply). */
    context?: { message_id: string };
    /** Echoed back in the status webhooks of this message. */
    biz_opaque_callback_data?: string;
  };

/** One page of a Graph list. `nextCursor` is set only when Meta says there is a next page. */
export interface Page<T> {
  data: T[];
  paging: Paging | undefined;
  nextCursor: string | undefined;
}

interface WithToken {
  /** The tenant's business token. Never logged, never put in an error. */
  accessToken: string;
}

const DEFAULT_TEMPLATE_FIELDS = [
  'id',
  'name',
  'language',
  'status',
  'category',
  'parameter_format',
  'components',
  'quality_score',
  'rejected_reason',
] as const;

/**
 * A typed client for the parts of Meta's Graph API the platform uses. Stateless apart from its
 * configuration: the access token is an argument of each call, because one platform holds the tokens of
 * many tenants. Errors are `GraphApiError`, `GraphNetworkError` or `GraphResponseError`.
 */
export class GraphClient {
  private readonly http: GraphHttp;

  constructor(options: GraphClientOptions) {
    this.http = new GraphHttp(options);
  }

  /** Embedded Signup: trades the short-lived code from the browser for a business token. */
  async exchangeCode(input: {
    clientId: string;
    clientSecret: string;
    code: string;
    redirectUri?: string;
  }): Promise<OAuthAccessTokenResponse> {
    return this.http.request(
      {
        method: 'GET',
        path: '/oauth/access_token',
        query: {
          client_id: input.clientId,
          client_secret: input.clientSecret,
          code: input.code,
          redirect_uri: input.redirectUri,
        },
        secrets: [input.clientSecret, input.code],
      },
      oauthAccessTokenResponseSchema,
    );
  }

  /** Inspects a token with the app token `APP_ID|APP_SECRET`; `granular_scopes` lists the WABAs granted. */
  async debugToken(input: { inputToken: string; appId: string; appSecret: string }): Promise<DebugTokenData> {
    const appToken = `${input.appId}|${input.appSecret}`;
    const response = await this.http.request(
      {
        method: 'GET',
        path: '/debug_token',
        query: { input_token: input.inputToken, access_token: appToken },
        secrets: [input.inputToken, appToken, input.appSecret],
      },
      debugTokenResponseSchema,
    );
    return response.data;
  }

  /** Subscribes the app to the WABA's webhooks; without it no webhook arrives. */
  async subscribeApp(
    input: WithToken & { wabaId: string; overrideCallbackUri?: string; verifyToken?: string },
  ): Promise<void> {
    const override =
      input.overrideCallbackUri === undefined
        ? undefined
        : { override_callback_uri: input.overrideCallbackUri, verify_token: input.verifyToken };
    await this.expectSuccess({
      method: 'POST',
      path: `/${segment(input.wabaId)}/subscribed_apps`,
      accessToken: input.accessToken,
      json: override,
      secrets: input.verifyToken ? [input.verifyToken] : [],
    });
  }

  async unsubscribeApp(input: WithToken & { wabaId: string }): Promise<void> {
    await this.expectSuccess({
      method: 'DELETE',
      path: `/${segment(input.wabaId)}/subscribed_apps`,
      accessToken: input.accessToken,
    });
  }

  async listSubscribedApps(input: WithToken & { wabaId: string }): Promise<SubscribedAppsResponse> {
    return this.http.request(
      { method: 'GET', path: `/${segment(input.wabaId)}/subscribed_apps`, accessToken: input.accessToken },
      subscribedAppsResponseSchema,
    );
  }

  /** Registers a number for Cloud API use with its two-step PIN (≤10 calls per 72 h, else 133016). */
  async registerPhone(input: WithToken & { phoneNumberId: string; pin: string }): Promise<void> {
    await this.expectSuccess({
      method: 'POST',
      path: `/${segment(input.phoneNumberId)}/register`,
      accessToken: input.accessToken,
      json: { messaging_product: 'whatsapp', pin: input.pin },
      secrets: [input.pin],
    });
  }

  async listPhoneNumbers(
    input: WithToken & { wabaId: string; fields?: readonly string[]; limit?: number; after?: string },
  ): Promise<Page<PhoneNumber>> {
    const response = await this.http.request(
      {
        method: 'GET',
        path: `/${segment(input.wabaId)}/phone_numbers`,
        accessToken: input.accessToken,
        query: {
          fields: (input.fields ?? DEFAULT_PHONE_NUMBER_FIELDS).join(','),
          limit: input.limit,
          after: input.after,
        },
      },
      pageSchema(phoneNumberSchema),
    );
    return toPage(response);
  }

  async getPhoneNumber(
    input: WithToken & { phoneNumberId: string; fields?: readonly string[] },
  ): Promise<PhoneNumber> {
    return this.http.request(
      {
        method: 'GET',
        path: `/${segment(input.phoneNumberId)}`,
        accessToken: input.accessToken,
        query: { fields: (input.fields ?? DEFAULT_PHONE_NUMBER_FIELDS).join(',') },
      },
      phoneNumberSchema,
    );
  }

  /**
   * Sends a message. A `to` number is normalised to E.164 with a leading `+` (a number without it gets
   * the sender's country code prefixed by Meta). Success means accepted, not delivered.
   */
  async sendMessage(
    input: WithToken & { phoneNumberId: string; message: SendMessageInput },
  ): Promise<SendMessageResponse> {
    const { to, recipient, ...content } = input.message;
    if (to !== undefined && recipient !== undefined)
      throw new TypeError('give either to or recipient, not both');
    if (to === undefined && !recipient) throw new TypeError('a message needs to or recipient');
    const address = to !== undefined ? { to: toE164(to) } : { recipient };
    return this.http.request(
      {
        method: 'POST',
        path: `/${segment(input.phoneNumberId)}/messages`,
        accessToken: input.accessToken,
        json: { messaging_product: 'whatsapp', recipient_type: 'individual', ...address, ...content },
      },
      sendMessageResponseSchema,
    );
  }

  /** Marks an inbound message (and those before it) read; `typingIndicator` shows typing for ≤25 s. */
  async markRead(
    input: WithToken & { phoneNumberId: string; messageId: string; typingIndicator?: boolean },
  ): Promise<void> {
    await this.expectSuccess({
      method: 'POST',
      path: `/${segment(input.phoneNumberId)}/messages`,
      accessToken: input.accessToken,
      json: {
        messaging_product: 'whatsapp',
        status: 'read',
        message_id: input.messageId,
        ...(input.typingIndicator ? { typing_indicator: { type: 'text' } } : {}),
      },
    });
  }

  async createTemplate(
    input: WithToken & { wabaId: string; template: CreateTemplateRequest },
  ): Promise<CreateTemplateResponse> {
    return this.http.request(
      {
        method: 'POST',
        path: `/${segment(input.wabaId)}/message_templates`,
        accessToken: input.accessToken,
        json: input.template,
      },
      createTemplateResponseSchema,
    );
  }

  async listTemplates(
    input: WithToken & {
      wabaId: string;
      status?: TemplateStatus;
      name?: string;
      limit?: number;
      after?: string;
      before?: string;
    },
  ): Promise<Page<MessageTemplate>> {
    const response = await this.http.request(
      {
        method: 'GET',
        path: `/${segment(input.wabaId)}/message_templates`,
        accessToken: input.accessToken,
        query: {
          fields: DEFAULT_TEMPLATE_FIELDS.join(','),
          status: input.status,
          name: input.name,
          limit: input.limit,
          after: input.after,
          before: input.before,
        },
      },
      pageSchema(messageTemplateSchema),
    );
    return toPage(response);
  }

  /** Deletes every language of a template by name, or one of them when `hsmId` (the template id) is given. */
  async deleteTemplate(input: WithToken & { wabaId: string; name: string; hsmId?: string }): Promise<void> {
    await this.expectSuccess({
      method: 'DELETE',
      path: `/${segment(input.wabaId)}/message_templates`,
      accessToken: input.accessToken,
      query: { name: input.name, hsm_id: input.hsmId },
    });
  }

  /** Uploads media for later sending; Meta keeps it 30 days. */
  async uploadMedia(
    input: WithToken & { phoneNumberId: string; data: Uint8Array | Blob; mimeType: string; filename: string },
  ): Promise<{ id: string }> {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', input.mimeType);
    const blob =
      input.data instanceof Blob
        ? input.data
        : new Blob([new Uint8Array(input.data)], { type: input.mimeType });
    form.append('file', blob, input.filename);
    return this.http.request(
      {
        method: 'POST',
        path: `/${segment(input.phoneNumberId)}/media`,
        accessToken: input.accessToken,
        form,
      },
      uploadMediaResponseSchema,
    );
  }

  /** Looks up a media id; the returned `url` lives about five minutes. */
  async getMedia(input: WithToken & { mediaId: string; phoneNumberId?: string }): Promise<MediaObject> {
    return this.http.request(
      {
        method: 'GET',
        path: `/${segment(input.mediaId)}`,
        accessToken: input.accessToken,
        query: { phone_number_id: input.phoneNumberId },
      },
      mediaObjectSchema,
    );
  }

  /** Downloads the bytes behind a URL from `getMedia`, with the bearer token Meta requires. */
  async downloadMedia(input: WithToken & { url: string }): Promise<DownloadedMedia> {
    return this.http.download(input.url, input.accessToken);
  }

  async deleteMedia(input: WithToken & { mediaId: string; phoneNumberId?: string }): Promise<void> {
    await this.expectSuccess({
      method: 'DELETE',
      path: `/${segment(input.mediaId)}`,
      accessToken: input.accessToken,
      query: { phone_number_id: input.phoneNumberId },
    });
  }

  /** Calls answering `{"success": true}`; `false` would mean Meta did nothing, so it throws. */
  private async expectSuccess(req: GraphRequest): Promise<void> {
    const response = await this.http.request(req, successResponseSchema);
    if (response.success !== true) {
      throw new GraphResponseError({
        method: req.method,
        path: this.http.versionedPath(req.path),
        httpStatus: 200,
        problem: 'success was false',
      });
    }
  }
}

function pageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({ data: z.array(item), paging: pagingSchema.optional() });
}

function toPage<T>(response: { data: T[]; paging?: Paging | undefined }): Page<T> {
  const paging = response.paging;
  return { data: response.data, paging, nextCursor: paging?.next ? paging.cursors?.after : undefined };
}
