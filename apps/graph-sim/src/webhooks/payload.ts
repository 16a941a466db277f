/**
 * Builds Meta's webhook envelope from queued updates. One POST may carry several WABAs (`entry[]`),
 * several fields or numbers per WABA (`changes[]`) and several messages or statuses per change, which
 * is how Meta batches under load; receivers must handle every level.
 */
export interface WebhookContact {
  profile: { name: string };
  wa_id: string;
  user_id?: string;
}

export interface Update {
  wabaId: string;
  field: string;
  /** Updates about one phone number carry `metadata` and merge with others of the same number. */
  number?: { id: string; digits: string };
  /** Array inside `value` the item goes to (`messages`, `statuses`, ...); absent: the item is the value. */
  list?: string;
  item: Record<string, unknown>;
  contact?: WebhookContact;
  /** Unix seconds for `entry.time`, which business-management fields carry. */
  time?: number;
}

type Value = Record<string, unknown>;

export function buildEnvelope(updates: Update[]): Record<string, unknown> {
  const entries = new Map<string, { time?: number; changes: Map<string, { field: string; value: Value }> }>();
  let loose = 0;
  for (const u of updates) {
    let entry = entries.get(u.wabaId);
    if (!entry) {
      entry = { changes: new Map() };
      entries.set(u.wabaId, entry);
    }
    if (u.time !== undefined) entry.time = u.time;
    if (!u.number || !u.list) {
      // Whole-value changes (template status and the like) never merge.
      loose += 1;
      entry.changes.set(`loose:${loose}`, { field: u.field, value: u.item });
      continue;
    }
    const key = `${u.field}:${u.number.id}`;
    let change = entry.changes.get(key);
    if (!change) {
      change = {
        field: u.field,
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: u.number.digits, phone_number_id: u.number.id },
        },
      };
      entry.changes.set(key, change);
    }
    const value = change.value;
    if (u.contact) {
      if (!value.contacts) value.contacts = [];
      const contacts = value.contacts as WebhookContact[];
      if (!contacts.some((c) => c.wa_id === u.contact?.wa_id)) contacts.push(u.contact);
    }
    if (!value[u.list]) value[u.list] = [];
    (value[u.list] as unknown[]).push(u.item);
  }
  return {
    object: 'whatsapp_business_account',
    entry: [...entries].map(([id, e]) => {
      const out: Record<string, unknown> = { id };
      if (e.time !== undefined) out.time = e.time;
      // Meta writes `value` before `field`; receivers must not care, but recorded payloads compare cleaner.
      out.changes = [...e.changes.values()].map((c) => ({ value: c.value, field: c.field }));
      return out;
    }),
  };
}
