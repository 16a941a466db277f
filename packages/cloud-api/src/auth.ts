import { z } from 'zod';

/** Token exchange and inspection used by Embedded Signup. */

/** `GET /oauth/access_token?client_id&client_secret&code`. */
export const oauthAccessTokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  // Business integration system user tokens do not expire and come without it.
  expires_in: z.number().optional(),
});
export type OAuthAccessTokenResponse = z.infer<typeof oauthAccessTokenResponseSchema>;

export const granularScopeSchema = z.looseObject({
  scope: z.string(),
  // Absent when the permission applies to every asset the user can reach.
  target_ids: z.array(z.string()).optional(),
});
export type GranularScope = z.infer<typeof granularScopeSchema>;

/** `GET /debug_token?input_token=T` with an app token. */
export const debugTokenResponseSchema = z.looseObject({
  data: z.looseObject({
    app_id: z.string().optional(),
    type: z.string().optional(),
    application: z.string().optional(),
    is_valid: z.boolean(),
    // 0 means the token never expires.
    expires_at: z.number().optional(),
    data_access_expires_at: z.number().optional(),
    issued_at: z.number().optional(),
    user_id: z.string().optional(),
    scopes: z.array(z.string()).optional(),
    granular_scopes: z.array(granularScopeSchema).optional(),
    error: z.looseObject({ code: z.number().optional(), message: z.string().optional() }).optional(),
  }),
});
export type DebugTokenResponse = z.infer<typeof debugTokenResponseSchema>;
export type DebugTokenData = DebugTokenResponse['data'];

/** The WABA ids a token was granted a scope on, from `debug_token`'s granular scopes. */
export function targetIdsForScope(data: DebugTokenData, scope: string): string[] {
  return (data.granular_scopes ?? []).filter((s) => s.scope === scope).flatMap((s) => s.target_ids ?? []);
}

export const subscribedAppsResponseSchema = z.looseObject({
  data: z.array(
    z.looseObject({
      whatsapp_business_api_data: z
        .looseObject({ id: z.string().optional(), name: z.string().optional(), link: z.string().optional() })
        .optional(),
      override_callback_uri: z.string().optional(),
    }),
  ),
});
export type SubscribedAppsResponse = z.infer<typeof subscribedAppsResponseSchema>;
