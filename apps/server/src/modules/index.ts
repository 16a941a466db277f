import type { Platform, PlatformModule } from '../platform/context.js';
import { purgeAuditJob, purgeAuditSchedule } from './audit/audit.jobs.js';
import { registerAuditRoutes } from './audit/audit.routes.js';
import { billingModule } from './billing/billing.module.js';
import { channelsModule } from './channels/channels.module.js';
import { contactsModule } from './contacts/contacts.module.js';
import { conversationsModule } from './conversations/conversations.module.js';
import { identityModule } from './identity/identity.module.js';
import type { Mailer } from './identity/mailer.js';
import { registerOutboxPage } from './identity/outbox.routes.js';
import { mediaModule } from './media/media.module.js';
import { messagesModule } from './messages/messages.module.js';
import { realtimeModule } from './realtime/realtime.module.js';
import { simulatorModule } from './simulator/simulator.module.js';
import { templatesModule } from './templates/templates.module.js';
import { createInboundHandler } from './webhooks/inbound-handler.js';
import { webhooksModule } from './webhooks/webhooks.module.js';
import { registerWorkspaceRoutes } from './workspaces/workspaces.routes.js';

export interface ModuleOptions {
  /** Outgoing email; the console adapter (logs the link) by default. Tests pass a capturing one. */
  mailer?: Mailer;
}

/** Every domain module of the server, in the order their routes register (identity first: it installs auth). */
export function createModules(options: ModuleOptions = {}): readonly PlatformModule[] {
  const mailerFor = (platform: Platform) => options.mailer ?? platform.mailer;
  return [
    identityModule({ mailer: mailerFor }),
    {
      name: 'workspaces',
      routes: (app, platform) => registerWorkspaceRoutes(app, platform, { mailer: mailerFor(platform) }),
    },
    {
      name: 'audit',
      routes: registerAuditRoutes,
      jobs: [purgeAuditJob],
      schedules: [purgeAuditSchedule],
    },
    { name: 'outbox', routes: registerOutboxPage },
    channelsModule,
    // Meta's webhooks, processed into contacts, conversations, messages and statuses.
    webhooksModule({ createHandler: createInboundHandler }),
    messagesModule,
    templatesModule,
    conversationsModule,
    // Message files: customers' media downloads and uploads for sending by id.
    mediaModule,
    // Live inbox events over Server-Sent Events, fanned out from the event bus.
    realtimeModule(),
    // Rate card, usage ledger, wallets, messaging-limit tier, template governance.
    billingModule,
    contactsModule,
    // Embedded mode only: the simulator phone's proxy to the in-process Graph API simulator.
    simulatorModule,
  ];
}

export const modules: readonly PlatformModule[] = createModules();
