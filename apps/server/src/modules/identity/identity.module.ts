import type { Platform, PlatformModule } from '../../platform/context.js';
import { installAccess } from '../../platform/http/auth.js';
import { membershipOf } from '../workspaces/workspaces.service.js';
import { registerApiKeyRoutes } from './api-keys.routes.js';
import { resolveApiKey } from './api-keys.service.js';
import { registerAuthRoutes } from './identity.routes.js';
import { identityLimiters, resolveSession } from './identity.service.js';
import type { Mailer } from './mailer.js';

export interface IdentityModuleOptions {
  mailer(platform: Platform): Mailer;
}

/**
 * Accounts, sessions and API keys. Listed first among the modules: it installs authentication
 * (installAccess) before any guarded route registers.
 */
export function identityModule(options: IdentityModuleOptions): PlatformModule {
  return {
    name: 'identity',
    async routes(app, platform) {
      const db = platform.db;
      const publicUrl = platform.config.http.publicUrl;
      await installAccess(
        app,
        {
          session: (token) => resolveSession(db, token),
          apiKey: (key) => resolveApiKey(db, key),
          membership: (workspaceId, userId) => membershipOf(db, workspaceId, userId),
        },
        { secureCookies: /^https:/i.test(publicUrl) },
      );
      registerAuthRoutes(app, {
        db,
        logger: platform.logger,
        mailer: options.mailer(platform),
        publicUrl,
        limits: identityLimiters(platform.rateLimits),
      });
      registerApiKeyRoutes(app, platform);
    },
  };
}
