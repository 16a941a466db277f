import type { WebhookItem } from '@openwaba/cloud-api';
import type { Platform } from '../../platform/context.js';

export type TemplateWebhookItem = Extract<
  WebhookItem,
  { kind: 'template_status' | 'template_quality' | 'template_category' }
>;

/**
 * Applies Meta's template webhooks (status, quality, category) to the stored templates. Returns a
 * publisher for the resulting domain event, or null when nothing changed. Must be idempotent.
 */
export async function handleTemplateWebhookItem(
  _platform: Platform,
  _item: TemplateWebhookItem,
): Promise<(() => Promise<void>) | null> {
  return null;
}
