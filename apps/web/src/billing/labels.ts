import type { GovernanceFlag, WalletEntry } from './queries';

const categoryLabels: Record<string, string> = {
  marketing: 'Marketing',
  utility: 'Utility',
  authentication: 'Authentication',
  authentication_international: 'Authentication (international)',
  service: 'Service',
};

/** Meta's pricing category, readable; an unknown one is shown as sent. */
export const categoryLabel = (category: string) => categoryLabels[category] ?? category;

/** A recipient market is a country calling code; `*` is the rate card's "every other market". */
export const marketLabel = (market: string) => (market === '*' ? 'Other markets' : `+${market}`);

export const entryKindLabels: Record<WalletEntry['kind'], string> = {
  top_up: 'Top-up',
  adjustment: 'Adjustment',
  reserve: 'Hold for a message',
  release: 'Hold released',
  charge: 'Charge',
};

export const reasonLabels: Record<GovernanceFlag['reason'], string> = {
  opt_out_rate: 'Opt-out rate',
  failure_rate: 'Failure rate',
  volume_jump: 'Volume jump',
};

/** Basis points as a percentage: 200 → "2%", 125 → "1.25%" (integer arithmetic, no rounding drift). */
export function basisPoints(value: number): string {
  const whole = Math.trunc(value / 100);
  const rest = Math.abs(value % 100);
  return rest === 0 ? `${whole}%` : `${whole}.${String(rest).padStart(2, '0').replace(/0$/, '')}%`;
}

const utcDay = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** A usage day key (`2026-12-01`, a UTC day) as a date. */
export const dayLabel = (day: string) => utcDay.format(new Date(`${day}T00:00:00Z`));
