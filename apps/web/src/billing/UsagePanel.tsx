import type { FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { channelLabel, useChannels } from '../channels/queries';
import { SelectField, TextField } from '../ui/Field';
import { readForm } from '../ui/forms';
import { EmptyState, ErrorState, Spinner } from '../ui/states';
import { categoryLabel, dayLabel, marketLabel } from './labels';
import { formatMoney } from './money';
import { type UsageGroup, type UsageReport, useUsage } from './queries';
import { usageExportHref, usageRange, usageViewFrom } from './usageRange';

const groupLabels: Record<UsageGroup, string> = {
  day: 'Day',
  category: 'Category',
  market: 'Market',
  channel: 'Number',
};

/** Billable usage from the ledger for a range of days, grouped one way, with totals and a CSV export. */
export function UsagePanel() {
  const { id: workspaceId, can } = useWorkspace();
  const [params, setParams] = useSearchParams();
  const view = usageViewFrom(params);
  const usage = useUsage(workspaceId, { ...usageRange(view), groupBy: view.groupBy });
  const channels = useChannels(workspaceId, can('channels.view') && view.groupBy === 'channel');
  const fieldErrors = usage.error instanceof ApiError ? usage.error.fields : {};

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    setParams(
      new URLSearchParams({ from: values.from ?? '', to: values.to ?? '', groupBy: values.groupBy ?? 'day' }),
    );
  }

  const keyLabel = (key: string) => {
    switch (view.groupBy) {
      case 'day':
        return dayLabel(key);
      case 'category':
        return categoryLabel(key);
      case 'market':
        return marketLabel(key);
      case 'channel': {
        const channel = channels.data?.items.find((c) => c.id === key);
        return channel ? channelLabel(channel) : key;
      }
      default:
        return view.groupBy satisfies never;
    }
  };

  return (
    <section className="card card-flush" aria-labelledby="usage-title" aria-busy={usage.isFetching}>
      <div className="card-head card-pad">
        <div>
          <h2 id="usage-title">Usage</h2>
          <p className="muted small">
            Billable messages as Meta reported them, priced with the rate card. Days are in UTC.
          </p>
        </div>
        <a className="btn" href={usageExportHref(workspaceId, view)} download>
          Export CSV
        </a>
      </div>
      <form key={params.toString()} className="filters card-pad" onSubmit={apply} aria-label="Usage period">
        <TextField label="From" name="from" type="date" defaultValue={view.from} error={fieldErrors.from} />
        <TextField label="To" name="to" type="date" defaultValue={view.to} error={fieldErrors.to} />
        <SelectField label="Group by" name="groupBy" defaultValue={view.groupBy} error={fieldErrors.groupBy}>
          {(Object.keys(groupLabels) as UsageGroup[]).map((group) => (
            <option key={group} value={group}>
              {groupLabels[group]}
            </option>
          ))}
        </SelectField>
        <div className="filters-actions">
          <button type="submit" className="btn btn-primary">
            Show
          </button>
        </div>
      </form>
      {usage.isPending && <Spinner label="Loading usage…" />}
      {usage.isError && Object.keys(fieldErrors).length === 0 && (
        <ErrorState error={usage.error} onRetry={() => usage.refetch()} />
      )}
      {usage.data &&
        (usage.data.data.length === 0 ? (
          <EmptyState title="No billable messages in this period">
            Template messages show here once Meta reports them delivered.
          </EmptyState>
        ) : (
          <UsageTable report={usage.data} heading={groupLabels[view.groupBy]} keyLabel={keyLabel} />
        ))}
    </section>
  );
}

function UsageTable({
  report,
  heading,
  keyLabel,
}: {
  report: UsageReport;
  heading: string;
  keyLabel: (key: string) => string;
}) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label={`Usage by ${heading.toLowerCase()}`}>
        <thead>
          <tr>
            <th scope="col">{heading}</th>
            <th scope="col" className="num">
              Messages
            </th>
            <th scope="col" className="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {report.data.map((row) => (
            <tr key={`${row.key}/${row.currency}`}>
              <td>{keyLabel(row.key)}</td>
              <td className="num">{row.count.toLocaleString()}</td>
              <td className="num">{formatMoney(row.amount, row.currency)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          {report.totals.map((total) => (
            <tr key={total.currency} className="total-row">
              <th scope="row">Total ({total.currency})</th>
              <td className="num">{total.count.toLocaleString()}</td>
              <td className="num">{formatMoney(total.amount, total.currency)}</td>
            </tr>
          ))}
        </tfoot>
      </table>
    </div>
  );
}
