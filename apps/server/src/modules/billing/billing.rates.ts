import { parse } from 'csv-parse/sync';
import { and, asc, desc, eq, gt, inArray, isNull, lte, or } from 'drizzle-orm';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Database, Executor } from '../../platform/db/client.js';
import type { Actor } from '../../platform/http/auth.js';
import { AppError, type ErrorDetail } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../audit/audit.service.js';
import { billingRates, pricingCategories, type RateRow } from './billing.tables.js';

/** The market that prices a message: the recipient's country calling code, `*` when unknown. */
export function marketOf(waId: string | null | undefined): string {
  if (!waId) return '*';
  return parsePhoneNumberFromString(`+${waId.replace(/^\+/, '')}`)?.countryCallingCode ?? '*';
}

const DECIMAL = /^(\d{1,12})(?:\.(\d{1,6}))?$/;

/** `"0.0107"` → 10700 micros, exactly (string arithmetic, never a float). Null when not a price. */
export function decimalToMicros(text: string): number | null {
  const match = DECIMAL.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
}

/** 10700 → `"0.0107"`; at least two decimals, at most six. */
export function microsToDecimal(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / 1_000_000);
  let fraction = String(abs % 1_000_000).padStart(6, '0');
  while (fraction.length > 2 && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${sign}${whole}.${fraction}`;
}

/** The rate in force for a category in a market at a time: the market's own row before `*`. */
export function findRate(
  db: Executor,
  query: { category: string; market: string; currency: string; at: Date },
): Promise<RateRow | null> {
  return rateChooser(db, query.currency)(query.category, query.market, query.at);
}

/**
 * Rates for many events (a webhook batch): the candidate rows of each (category, market) are read once,
 * then the one in force at each event's time is chosen — the latest `effective_from`, then the latest
 * upload.
 */
export function rateChooser(db: Executor, currency: string) {
  const candidates = new Map<string, Promise<RateRow[]>>();
  return async (category: string, market: string, at: Date): Promise<RateRow | null> => {
    const key = `${category}|${market}`;
    let rows = candidates.get(key);
    if (!rows) {
      rows = db
        .select()
        .from(billingRates)
        .where(
          and(
            eq(billingRates.category, category),
            eq(billingRates.currency, currency),
            inArray(billingRates.market, [market, '*']),
          ),
        );
      candidates.set(key, rows);
    }
    const inForce = (await rows).filter(
      (row) => row.effectiveFrom <= at && (row.effectiveTo === null || row.effectiveTo > at),
    );
    inForce.sort(
      (a, b) =>
        Number(a.market === '*') - Number(b.market === '*') ||
        b.effectiveFrom.getTime() - a.effectiveFrom.getTime() ||
        b.createdAt.getTime() - a.createdAt.getTime() ||
        (a.id < b.id ? 1 : -1),
    );
    return inForce[0] ?? null;
  };
}

export interface RateInput {
  category: string;
  market: string;
  currency: string;
  priceMicros: number;
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

export const RATE_CSV_COLUMNS = [
  'category',
  'market',
  'currency',
  'price',
  'effective_from',
  'effective_to',
] as const;

/**
 * A rate card in CSV (header `category,market,currency,price,effective_from,effective_to`; price a
 * decimal in the currency's unit; dates ISO 8601, `effective_to` may be empty) → rows, or every problem
 * with its line number.
 */
export function parseRateCardCsv(
  text: string,
): { ok: true; rates: RateInput[] } | { ok: false; problems: ErrorDetail[] } {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    return { ok: false, problems: [{ path: 'csv', message: (error as Error).message }] };
  }
  const problems: ErrorDetail[] = [];
  const missing = RATE_CSV_COLUMNS.filter(
    (column) => column !== 'effective_to' && !(column in (records[0] ?? {})),
  );
  if (records.length === 0 || missing.length > 0) {
    return {
      ok: false,
      problems: [
        { path: 'csv', message: `Expected a header with ${RATE_CSV_COLUMNS.join(',')} and at least one row` },
      ],
    };
  }
  const rates: RateInput[] = [];
  records.forEach((record, index) => {
    const line = `line ${index + 2}`;
    const category = (record.category ?? '').toLowerCase();
    const market = (record.market ?? '').replace(/^\+/, '');
    const currency = (record.currency ?? '').toUpperCase();
    const priceMicros = decimalToMicros(record.price ?? '');
    const effectiveFrom = new Date(record.effective_from ?? '');
    const effectiveTo = record.effective_to ? new Date(record.effective_to) : null;
    const before = problems.length;
    if (!(pricingCategories as readonly string[]).includes(category))
      problems.push({ path: `${line}.category`, message: `one of ${pricingCategories.join(', ')}` });
    if (!/^(\*|\d{1,4})$/.test(market))
      problems.push({ path: `${line}.market`, message: 'a country calling code (91, 1, 55) or *' });
    if (!/^[A-Z]{3}$/.test(currency))
      problems.push({ path: `${line}.currency`, message: 'an ISO 4217 code such as USD or INR' });
    if (priceMicros === null)
      problems.push({ path: `${line}.price`, message: 'a decimal with at most six decimals, e.g. 0.0107' });
    if (Number.isNaN(effectiveFrom.getTime()))
      problems.push({ path: `${line}.effective_from`, message: 'an ISO 8601 date' });
    if (effectiveTo && (Number.isNaN(effectiveTo.getTime()) || effectiveTo <= effectiveFrom))
      problems.push({ path: `${line}.effective_to`, message: 'an ISO 8601 date after effective_from' });
    if (problems.length === before && priceMicros !== null)
      rates.push({ category, market, currency, priceMicros, effectiveFrom, effectiveTo });
  });
  return problems.length > 0 ? { ok: false, problems: problems.slice(0, 50) } : { ok: true, rates };
}

/** Loads a rate card (an operator upload); its rows apply from their own effective dates. */
export async function loadRateCard(
  db: Database,
  actor: Actor,
  csv: string,
): Promise<{ card: string; rates: number }> {
  const parsed = parseRateCardCsv(csv);
  if (!parsed.ok) throw new AppError('validation_failed', 'The rate card is not valid', parsed.problems);
  const card = newId('rate');
  await db.transaction(async (tx) => {
    await tx.insert(billingRates).values(parsed.rates.map((rate) => ({ id: newId('rate'), card, ...rate })));
    await recordAudit(tx, actor, {
      workspaceId: null,
      action: 'billing.rate_card_loaded',
      resourceType: 'rate_card',
      resourceId: card,
      after: { rates: parsed.rates.length },
    });
  });
  return { card, rates: parsed.rates.length };
}

/** Every rate row in force at a time (or all, newest first), for the operator. */
export async function listRates(db: Executor, at?: Date): Promise<RateRow[]> {
  const inForce = at
    ? and(
        lte(billingRates.effectiveFrom, at),
        or(isNull(billingRates.effectiveTo), gt(billingRates.effectiveTo, at)),
      )
    : undefined;
  return db
    .select()
    .from(billingRates)
    .where(inForce)
    .orderBy(
      asc(billingRates.currency),
      asc(billingRates.category),
      asc(billingRates.market),
      desc(billingRates.effectiveFrom),
    )
    .limit(5000);
}
