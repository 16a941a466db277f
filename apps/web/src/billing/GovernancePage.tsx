import { useWorkspace } from '../app/workspace';
import { channelLabel, useChannels } from '../channels/queries';
import { EmptyState, ErrorState, Spinner } from '../ui/states';
import { FlagsCard } from './FlagsCard';
import { basisPoints } from './labels';
import { type TemplateVelocity, useTemplateVelocity } from './queries';
import { ThresholdsCard } from './ThresholdsForm';

/** Billing → Template governance: open flags, each template's last hour, and the thresholds. */
export default function GovernancePage() {
  const { id: workspaceId, can } = useWorkspace();
  const channels = useChannels(workspaceId, can('channels.view'));
  const numberLabel = (channelId: string) => {
    const channel = channels.data?.items.find((c) => c.id === channelId);
    return channel ? channelLabel(channel) : channelId;
  };
  return (
    <div className="stack-lg billing">
      <FlagsCard numberLabel={numberLabel} />
      <VelocityCard numberLabel={numberLabel} />
      <ThresholdsCard />
    </div>
  );
}

/** Same arithmetic as the server's thresholds: a whole number of basis points of the hour's sends. */
const rate = (count: number, sends: number) => basisPoints(Math.round((count * 10_000) / Math.max(1, sends)));

function VelocityCard({ numberLabel }: { numberLabel: (channelId: string) => string }) {
  const { id: workspaceId } = useWorkspace();
  const velocity = useTemplateVelocity(workspaceId);
  const rows = velocity.data?.data ?? [];
  return (
    <section className="card card-flush" aria-labelledby="velocity-title" aria-busy={velocity.isFetching}>
      <div className="card-head card-pad">
        <div>
          <h2 id="velocity-title">Template activity, last hour</h2>
          <p className="muted small">
            Per number: sends, unique recipients, opt-outs that followed a template (within 24 hours) and
            failures 131026/131049.
          </p>
        </div>
      </div>
      {velocity.isPending && <Spinner label="Loading template activity…" />}
      {velocity.isError && <ErrorState error={velocity.error} onRetry={() => velocity.refetch()} />}
      {velocity.isSuccess &&
        (rows.length === 0 ? (
          <EmptyState title="No templates sent in the last hour" />
        ) : (
          <div className="table-wrap">
            <table className="table" aria-label="Template activity">
              <thead>
                <tr>
                  <th scope="col">Template</th>
                  <th scope="col" className="num">
                    Last minute
                  </th>
                  <th scope="col" className="num">
                    Last hour
                  </th>
                  <th scope="col" className="num hide-sm">
                    Recipients
                  </th>
                  <th scope="col" className="num">
                    Opt-outs
                  </th>
                  <th scope="col" className="num">
                    Failures
                  </th>
                  <th scope="col" className="num hide-sm">
                    Hourly average (24 h)
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <VelocityRow
                    key={`${row.channelId}/${row.templateName}`}
                    row={row}
                    numberLabel={numberLabel}
                  />
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}

function VelocityRow({ row, numberLabel }: { row: TemplateVelocity; numberLabel: (id: string) => string }) {
  return (
    <tr>
      <td>
        <div className="cell-primary">
          {row.templateName}
          {row.marketing && <span className="badge">Marketing</span>}
        </div>
        <span className="cell-secondary">{numberLabel(row.channelId)}</span>
      </td>
      <td className="num">{row.sendsLastMinute.toLocaleString()}</td>
      <td className="num">{row.sendsLastHour.toLocaleString()}</td>
      <td className="num hide-sm">{row.uniqueRecipientsLastHour.toLocaleString()}</td>
      <td className="num">
        {row.optOutsLastHour.toLocaleString()}
        <span className="cell-secondary">{rate(row.optOutsLastHour, row.sendsLastHour)}</span>
      </td>
      <td className="num">
        {row.failuresLastHour.toLocaleString()}
        <span className="cell-secondary">{rate(row.failuresLastHour, row.sendsLastHour)}</span>
      </td>
      <td className="num hide-sm">
        {row.hourlyBaseline.toLocaleString(undefined, { maximumFractionDigits: 2 })}
      </td>
    </tr>
  );
}
