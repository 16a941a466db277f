import type { UsageGroup } from './queries';

/** The usage view kept in the page's URL: whole UTC days (the ledger's days are UTC) and a grouping. */
export interface UsageView {
  from: string;
  to: string;
  groupBy: UsageGroup;
}

const GROUPS: readonly UsageGroup[] = ['day', 'category', 'market', 'channel'];
const DAY_MS = 86_400_000;
const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** From the URL, defaulting to this month so far (UTC), by day. */
export function usageViewFrom(params: URLSearchParams, now = new Date()): UsageView {
  const group = params.get('groupBy') as UsageGroup | null;
  return {
    from: params.get('from') || isoDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))),
    to: params.get('to') || isoDay(now),
    groupBy: group && GROUPS.includes(group) ? group : 'day',
  };
}

/** The API's `[from, to)` in instants: `to` covers its whole day. */
export function usageRange(view: Pick<UsageView, 'from' | 'to'>): { from?: string; to?: string } {
  const start = Date.parse(`${view.from}T00:00:00Z`);
  const end = Date.parse(`${view.to}T00:00:00Z`);
  return {
    ...(Number.isNaN(start) ? {} : { from: new Date(start).toISOString() }),
    ...(Number.isNaN(end) ? {} : { to: new Date(end + DAY_MS).toISOString() }),
  };
}

export function usageExportHref(workspaceId: string, view: UsageView): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(usageRange(view))) if (value) query.set(name, value);
  return `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/billing/usage/export?${query}`;
}
