import type { WebhookItem } from '@openwaba/cloud-api';
import type { Platform } from '../../platform/context.js';

export type ChannelWebhookItem = Extract<
  WebhookItem,
  { kind: 'phone_number_quality' | 'account_update' | 'business_capability' }
>;

/**
 * Applies Meta's account-level webhooks (number quality and limit tier, account and capability
 * updates) to the channels they concern. Returns a publisher for the resulting domain event, or null
 * when nothing changed. Must be idempotent: webhooks repeat.
 */
export async function handleChannelWebhookItem(
  _platform: Platform,
  _item: ChannelWebhookItem,
): Promise<(() => Promise<void>) | null> {
  return null;
}
