/** An amount as the API sends it: exact micros (millionths of the unit) and the same as a decimal string. */
export interface Money {
  micros: number;
  decimal: string;
}

const formats = new Map<string, Intl.NumberFormat>();

/**
 * "$0.0118", "₹500.00": the decimal string goes to Intl as a string, which formats it digit for digit
 * (no float in between), with the currency's usual decimals and up to the six the API keeps.
 */
export function formatMoney(amount: Money, currency: string): string {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency,
      maximumFractionDigits: 6,
    });
    formats.set(currency, format);
  }
  return format.format(amount.decimal as Intl.StringNumericLiteral);
}

/** The same with a sign on gains, for ledgers of changes ("+$0.02", "−$0.0118"). */
export function formatChange(amount: Money, currency: string): string {
  if (amount.micros === 0) return '—';
  const text = formatMoney(amount, currency);
  return amount.micros > 0 ? `+${text}` : text;
}
