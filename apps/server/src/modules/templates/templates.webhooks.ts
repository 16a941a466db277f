import type { WebhookItem } from '@openwaba/cloud-api';
import { and, eq, inArray, isNull, lte, ne, or, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { Platform } from '../../platform/context.js';
import type { Executor } from '../../platform/db/client.js';
import { defineTopic } from '../../platform/events/event-bus.js';
import { wabas } from '../channels/channels.tables.js';
import { enqueueWabaTemplatesSync } from './templates.jobs.js';
import { templates } from './templates.tables.js';

export type TemplateWebhookItem = Extract<
  WebhookItem,
  { kind: 'template_status' | 'template_quality' | 'template_category' }
>;

export const templateChanged = defineTopic(
  'template.changed',
  z.object({
    workspaceId: z.string(),
    templateId: z.string(),
    change: z.enum(['status', 'quality', 'category']),
    value: z.string(),
  }),
);

/** Webhook events that are not a status of their own: the template keeps its status. */
const NOT_A_STATUS = new Set(['FLAGGED', 'LOCKED', 'UNLOCKED']);

/**
 * Applies Meta's template webhooks (status, quality, category) to the stored templates. Returns a
 * publisher for the resulting domain event, or null when nothing changed. Idempotent: a repeat
 * sets the same values and changes nothing.
 */
export async function handleTemplateWebhookItem(
  platform: Platform,
  db: Executor,
  item: TemplateWebhookItem,
): Promise<(() => Promise<void>) | null> {
  const { update } = item;
  const wabaRows = await db
    .select({ id: wabas.id })
    .from(wabas)
    .where(and(eq(wabas.externalId, item.wabaId), ne(wabas.status, 'disconnected')));
  if (wabaRows.length === 0) return null;
  const [template] = await db
    .select()
    .from(templates)
    .where(
      and(
        inArray(
          templates.wabaId,
          wabaRows.map((w) => w.id),
        ),
        or(
          eq(templates.externalId, String(update.message_template_id)),
          and(
            eq(templates.name, update.message_template_name),
            eq(templates.language, update.message_template_language),
          ),
        ),
      ),
    );
  if (!template) {
    // Made in WhatsApp Manager, or its create request has not committed yet: ask Meta for the WABA's
    // templates shortly, rather than wait for the periodic sync.
    for (const waba of wabaRows) await enqueueWabaTemplatesSync(platform, waba.id);
    return null;
  }

  // Meta's time for the event (whole seconds); without one, the time it reached us.
  const at = item.entryTime === undefined ? new Date() : new Date(item.entryTime * 1000);
  let change: {
    column: Partial<typeof templates.$inferInsert>;
    kind: 'status' | 'quality' | 'category';
    value: string;
  };
  // Each value keeps the time it was true: an older event (webhooks arrive out of order, a sync may
  // have read a newer value) is skipped, here and again in the update itself.
  let onlyIf: SQL | undefined;
  switch (item.kind) {
    case 'template_status': {
      const event = String(item.update.event);
      if (NOT_A_STATUS.has(event)) return null;
      const status = event === 'REINSTATED' ? 'APPROVED' : event;
      const reason = item.update.reason && item.update.reason !== 'NONE' ? item.update.reason : null;
      if (isStale(template, status, at)) return null;
      if (template.status === status && template.statusReason === reason) return null;
      change = { column: { status, statusReason: reason, statusAt: at }, kind: 'status', value: status };
      onlyIf = notNewerThan(templates.statusAt, at);
      break;
    }
    case 'template_quality': {
      const score = String(item.update.new_quality_score);
      if (template.qualityScore === score || isOlder(template.qualityAt, at)) return null;
      change = { column: { qualityScore: score, qualityAt: at }, kind: 'quality', value: score };
      onlyIf = notNewerThan(templates.qualityAt, at);
      break;
    }
    case 'template_category': {
      const category = item.update.new_category ?? item.update.correct_category;
      if (!category || template.category === category || isOlder(template.categoryAt, at)) return null;
      change = { column: { category, categoryAt: at }, kind: 'category', value: category };
      onlyIf = notNewerThan(templates.categoryAt, at);
      break;
    }
    default:
      return item satisfies never;
  }
  const updated = await db
    .update(templates)
    .set({
      ...change.column,
      externalId: template.externalId ?? String(update.message_template_id),
      updatedAt: new Date(),
    })
    .where(and(eq(templates.id, template.id), onlyIf))
    .returning({ id: templates.id });
  if (updated.length === 0) return null;
  return () =>
    platform.events.publish(templateChanged, {
      workspaceId: template.workspaceId,
      templateId: template.id,
      change: change.kind,
      value: change.value,
    });
}

const isOlder = (stored: Date | null, at: Date) => stored !== null && at < stored;
const notNewerThan = (column: PgColumn, at: Date) => or(isNull(column), lte(column, at));

/**
 * Whether a status event at `at` is older than what is stored: webhooks can arrive out of order, and
 * a sync may already have read a newer status. Within the same second (Meta's resolution) a PENDING
 * never replaces a decided status, since review always follows submission.
 */
function isStale(template: typeof templates.$inferSelect, status: string, at: Date): boolean {
  if (!template.statusAt) return false;
  if (isOlder(template.statusAt, at)) return true;
  return (
    at.getTime() === template.statusAt.getTime() && status === 'PENDING' && template.status !== 'PENDING'
  );
}
