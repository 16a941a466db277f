import type { WorkspaceDetail } from '../api/types';
import { useWorkspace } from '../app/workspace';
import { formatLimit } from '../ui/format';
import { useApiKeys, useMembers } from './queries';

type Plan = WorkspaceDetail['plan'];
const planLabels: Record<Plan, string> = { free: 'Free', pro: 'Pro', enterprise: 'Enterprise' };

export default function PlanPage() {
  const { workspace, can } = useWorkspace();
  const members = useMembers(workspace.id, can('members.view'));
  const keys = useApiKeys(workspace.id, can('api_keys.view'));
  const { limits } = workspace;

  const rows: { label: string; limit: string; used?: number | undefined; max?: number | null }[] = [
    {
      label: 'Team seats',
      limit: formatLimit(limits.seats),
      used: members.data?.items.length,
      max: limits.seats,
    },
    {
      label: 'API keys',
      limit: formatLimit(limits.apiKeys),
      used: keys.data?.items.length,
      max: limits.apiKeys,
    },
    { label: 'WhatsApp numbers', limit: formatLimit(limits.channels) },
    { label: 'Messages per minute', limit: formatLimit(limits.messagesPerMinute) },
    { label: 'Audit log kept for', limit: `${limits.auditRetentionDays} days` },
  ];

  return (
    <div className="stack-lg">
      <section className="card" aria-labelledby="plan-title">
        <div className="card-head">
          <div>
            <h2 id="plan-title">{planLabels[workspace.plan]} plan</h2>
            <p className="muted small">What this workspace may use.</p>
          </div>
        </div>
        <dl className="limits">
          {rows.map((row) => (
            <div key={row.label} className="limit">
              <dt>{row.label}</dt>
              <dd>
                <span className="limit-value">
                  {row.used !== undefined ? `${row.used} of ${row.limit}` : row.limit}
                </span>
                {row.used !== undefined && row.max ? (
                  <span className="meter" aria-hidden="true">
                    <span style={{ width: `${Math.min(100, (row.used / row.max) * 100)}%` }} />
                  </span>
                ) : null}
              </dd>
            </div>
          ))}
        </dl>
      </section>
      <p className="muted small">
        Plans are changed by the platform operator: ask them to upgrade this workspace or raise a limit.
      </p>
    </div>
  );
}
