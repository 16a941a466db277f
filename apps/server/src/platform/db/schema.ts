/**
 * Every table of the platform, for drizzle-kit and for the typed database handle. Each module owns
 * its tables in `modules/<domain>/<domain>.tables.ts` and adds one export line here.
 */

export * from '../../modules/audit/audit.tables.js';
export * from '../../modules/billing/billing.tables.js';
export * from '../../modules/channels/channels.tables.js';
export * from '../../modules/channels/onboarding.tables.js';
export * from '../../modules/contacts/contacts.tables.js';
export * from '../../modules/conversations/conversations.tables.js';
export * from '../../modules/identity/identity.tables.js';
export * from '../../modules/messages/messages.tables.js';
export * from '../../modules/templates/templates.tables.js';
export * from '../../modules/webhooks/webhooks.tables.js';
export * from '../../modules/workspaces/workspaces.tables.js';
export * from '../http/idempotency.tables.js';
export * from '../vault/tables.js';
export * from './tables.js';
