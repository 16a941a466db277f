import { safeParseWebhookPayload, type WebhookItem } from '@openwaba/cloud-api';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses a webhook body that failed validation as a whole, one item at a time: every message, status
 * and error of every change becomes its own single-item payload. Valid items are kept, so one
 * malformed message does not hold back the rest of its batch; the invalid ones are reported.
 */
export function salvageWebhookItems(body: unknown): { items: WebhookItem[]; problems: string[] } {
  const items: WebhookItem[] = [];
  const problems: string[] = [];
  if (!isObject(body) || !Array.isArray(body.entry)) {
    return { items, problems: ['the body has no entry list'] };
  }
  body.entry.forEach((entry, entryIndex) => {
    if (!isObject(entry) || !Array.isArray(entry.changes)) {
      problems.push(`entry[${entryIndex}] has no changes list`);
      return;
    }
    entry.changes.forEach((change, changeIndex) => {
      for (const single of singleItemChanges(change)) {
        const parsed = safeParseWebhookPayload({ ...body, entry: [{ ...entry, changes: [single] }] });
        if (parsed.success) {
          items.push(...parsed.items.map((item) => ({ ...item, entryIndex, changeIndex })));
        } else {
          problems.push(`entry[${entryIndex}].changes[${changeIndex}]: ${parsed.error.message}`);
        }
      }
    });
  });
  return { items, problems };
}

function singleItemChanges(change: unknown): unknown[] {
  if (!isObject(change) || !isObject(change.value)) return [change];
  const value = change.value;
  const lists = (['messages', 'statuses', 'errors'] as const).filter((key) => Array.isArray(value[key]));
  if (lists.length === 0) return [change];
  const base: Json = { ...value };
  for (const key of lists) delete base[key];
  return lists.flatMap((key) =>
    (value[key] as unknown[]).map((element) => ({ ...change, value: { ...base, [key]: [element] } })),
  );
}
