import { useWorkspace } from '../app/workspace';
import { formatDateTime } from '../ui/format';
import { EmptyState, ErrorState, Spinner } from '../ui/states';
import { entryKindLabels } from './labels';
import { formatChange, formatMoney } from './money';
import { useWallet, useWalletEntries, type Wallet, type WalletEntry } from './queries';

const modeNotes: Record<Wallet['mode'], string> = {
  prepaid:
    'Template messages are paid from this balance. An estimate is held when a template is queued and settled when Meta reports it delivered or failed; a send the available balance cannot cover is refused.',
  postpaid:
    'Messages are never refused for money: charges take the balance below zero, which is what this workspace owes. Payments show as top-ups.',
};

/** The wallet's state: mode, balance, what is held for messages in flight, and what is left. */
export function WalletSummary() {
  const { id: workspaceId } = useWorkspace();
  const wallet = useWallet(workspaceId);
  return (
    <section className="card" aria-labelledby="wallet-title" aria-busy={wallet.isFetching}>
      {wallet.isPending && <Spinner label="Loading wallet…" />}
      {wallet.isError && <ErrorState error={wallet.error} onRetry={() => wallet.refetch()} />}
      {wallet.data && (
        <>
          <div className="card-head">
            <div>
              <h2 id="wallet-title">
                Wallet{' '}
                <span className={`badge ${wallet.data.mode === 'prepaid' ? 'badge-ok' : ''}`}>
                  {wallet.data.mode === 'prepaid' ? 'Prepaid' : 'Postpaid'}
                </span>
              </h2>
              <p className="muted small">{modeNotes[wallet.data.mode]}</p>
            </div>
          </div>
          <dl className="limits">
            <Figure label="Balance" value={formatMoney(wallet.data.balance, wallet.data.currency)} />
            <Figure
              label="Held for messages in flight"
              value={formatMoney(wallet.data.reserved, wallet.data.currency)}
            />
            <Figure label="Available" value={formatMoney(wallet.data.available, wallet.data.currency)} />
            <Figure label="Currency" value={wallet.data.currency} />
          </dl>
        </>
      )}
    </section>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="limit">
      <dt>{label}</dt>
      <dd>
        <span className="limit-value">{value}</span>
      </dd>
    </div>
  );
}

/** Every change of the wallet, newest first, a page at a time. */
export function WalletEntries() {
  const { id: workspaceId } = useWorkspace();
  const wallet = useWallet(workspaceId);
  const entries = useWalletEntries(workspaceId);
  const rows = entries.data?.pages.flatMap((page) => page.data) ?? [];
  const currency = wallet.data?.currency;
  return (
    <section
      className="card card-flush"
      aria-labelledby="wallet-entries-title"
      aria-busy={entries.isFetching}
    >
      <div className="card-head card-pad">
        <div>
          <h2 id="wallet-entries-title">Wallet entries</h2>
          <p className="muted small">Top-ups, holds, charges and releases. Entries cannot be edited.</p>
        </div>
      </div>
      {entries.isPending && <Spinner label="Loading wallet entries…" />}
      {entries.isError && <ErrorState error={entries.error} onRetry={() => entries.refetch()} />}
      {entries.isSuccess &&
        currency &&
        (rows.length === 0 ? (
          <EmptyState title="No wallet activity yet">Top-ups and message charges will show here.</EmptyState>
        ) : (
          <EntriesTable entries={rows} currency={currency} />
        ))}
      {entries.hasNextPage && (
        <div className="table-foot">
          <button
            type="button"
            className="btn"
            onClick={() => entries.fetchNextPage()}
            disabled={entries.isFetchingNextPage}
          >
            {entries.isFetchingNextPage ? 'Loading…' : 'Load older entries'}
          </button>
        </div>
      )}
    </section>
  );
}

function EntriesTable({ entries, currency }: { entries: WalletEntry[]; currency: string }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Wallet entries">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Entry</th>
            <th scope="col" className="num">
              Balance
            </th>
            <th scope="col" className="num hide-sm">
              Held
            </th>
            <th scope="col" className="num">
              Balance after
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id}>
              <td className="nowrap">{formatDateTime(entry.createdAt)}</td>
              <td>
                <div className="cell-primary">{entryKindLabels[entry.kind]}</div>
                {/* A message's entries carry its ledger key as reference; the message id says more. */}
                {entry.messageId ? (
                  <code className="cell-secondary mono">{entry.messageId}</code>
                ) : (
                  entry.reference && <span className="cell-secondary">{entry.reference}</span>
                )}
              </td>
              <td className="num">{formatChange(entry.balanceDelta, currency)}</td>
              <td className="num hide-sm">{formatChange(entry.reservedDelta, currency)}</td>
              <td className="num">{formatMoney(entry.balanceAfter, currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
