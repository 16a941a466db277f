import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { and, asc, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import { microsToDecimal } from './billing.rates.js';
import { type UsageRow, usageLedger } from './billing.tables.js';

export type UsageGroup = 'day' | 'category' | 'market' | 'channel';

export interface UsageBucket {
  key: string;
  currency: string;
  count: number;
  amountMicros: number;
}

const groupColumn = {
  day: sql<string>`to_char(${usageLedger.occurredAt} at time zone 'UTC', 'YYYY-MM-DD')`,
  category: sql<string>`${usageLedger.category}`,
  market: sql<string>`${usageLedger.market}`,
  channel: sql<string>`${usageLedger.channelId}`,
} as const;

const inRange = (workspaceId: string, range: { from: Date; to: Date }) =>
  and(
    eq(usageLedger.workspaceId, workspaceId),
    gte(usageLedger.occurredAt, range.from),
    lt(usageLedger.occurredAt, range.to),
  );

/** Ledger entries of `[from, to)` summed per group and currency; totals per currency. Sums in SQL, exact. */
export async function usageReport(
  db: Executor,
  workspaceId: string,
  query: { from: Date; to: Date; groupBy: UsageGroup },
): Promise<{ buckets: UsageBucket[]; totals: Omit<UsageBucket, 'key'>[] }> {
  const key = groupColumn[query.groupBy];
  const rows = await db
    .select({
      key,
      currency: usageLedger.currency,
      count: sql<number>`count(*)::int`,
      amountMicros: sql<string>`sum(${usageLedger.priceMicros})::text`,
    })
    .from(usageLedger)
    .where(inRange(workspaceId, query))
    .groupBy(key, usageLedger.currency)
    .orderBy(key, usageLedger.currency);
  const buckets = rows.map((row) => ({
    ...row,
    count: Number(row.count),
    amountMicros: Number(row.amountMicros),
  }));
  const totals = new Map<string, Omit<UsageBucket, 'key'>>();
  for (const bucket of buckets) {
    const total = totals.get(bucket.currency) ?? { currency: bucket.currency, count: 0, amountMicros: 0 };
    total.count += bucket.count;
    total.amountMicros += bucket.amountMicros;
    totals.set(bucket.currency, total);
  }
  return { buckets, totals: [...totals.values()] };
}

/** Ledger entries, newest first, paged by id. */
export async function listUsageEntries(
  db: Executor,
  workspaceId: string,
  query: { from: Date; to: Date; limit: number; before?: string },
): Promise<UsageRow[]> {
  return db
    .select()
    .from(usageLedger)
    .where(and(inRange(workspaceId, query), query.before ? lt(usageLedger.id, query.before) : undefined))
    .orderBy(desc(usageLedger.id))
    .limit(query.limit);
}

export const USAGE_CSV_COLUMNS = [
  'occurred_at',
  'message_id',
  'channel_id',
  'pricing_model',
  'category',
  'pricing_type',
  'market',
  'currency',
  'price',
  'key',
] as const;

/** Every ledger entry of `[from, to)` as CSV, oldest first, read in pages (constant memory). */
export function exportUsageCsv(db: Executor, workspaceId: string, range: { from: Date; to: Date }): Readable {
  async function* rows() {
    let after: string | undefined;
    for (;;) {
      const page = await db
        .select()
        .from(usageLedger)
        .where(and(inRange(workspaceId, range), after ? sql`${usageLedger.id} > ${after}` : undefined))
        .orderBy(asc(usageLedger.id))
        .limit(1000);
      for (const row of page) {
        yield {
          occurred_at: row.occurredAt.toISOString(),
          message_id: row.messageId,
          channel_id: row.channelId,
          pricing_model: row.pricingModel,
          category: row.category,
          pricing_type: row.pricingType ?? '',
          market: row.market,
          currency: row.currency,
          price: microsToDecimal(row.priceMicros),
          key: row.key,
        };
      }
      if (page.length < 1000) return;
      after = page.at(-1)?.id;
    }
  }
  const source = Readable.from(rows());
  const csv = stringify({ header: true, columns: [...USAGE_CSV_COLUMNS] });
  source.on('error', (error) => csv.destroy(error));
  return source.pipe(csv);
}
