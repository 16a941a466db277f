import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, call } from '../api/client';
import type { WorkspaceDetail } from '../api/types';
import { useWorkspace, workspaceKey } from '../app/workspace';
import { meKey } from '../auth/session';
import { useAnnounce } from '../ui/announcer';
import { FormError, SelectField } from '../ui/Field';
import { formatLimit } from '../ui/format';
import { useFormErrors } from '../ui/forms';
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
      {can('billing.manage') && <ChangePlan current={workspace.plan} workspaceId={workspace.id} />}
    </div>
  );
}

function ChangePlan({ current, workspaceId }: { current: Plan; workspaceId: string }) {
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const form = useFormErrors(['plan']);
  const [plan, setPlan] = useState<Plan>(current);
  const change = useMutation({
    mutationFn: (next: Plan) =>
      call(
        api.PUT('/api/v1/workspaces/{workspaceId}/plan', {
          params: { path: { workspaceId } },
          body: { plan: next },
        }),
      ),
    onSuccess: async (workspace) => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: workspaceKey(workspaceId) }),
        queryClient.invalidateQueries({ queryKey: meKey }),
      ]);
      announce(`Plan changed to ${planLabels[workspace.plan]}`);
    },
    onError: form.fail,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    form.clear();
    change.mutate(plan);
  }

  return (
    <section className="card" aria-labelledby="change-plan-title">
      <h2 id="change-plan-title">Change plan</h2>
      <form onSubmit={submit} className="inline-form">
        <FormError message={form.errors.message} />
        <SelectField
          label="Plan"
          name="plan"
          value={plan}
          onChange={(event) => setPlan(event.target.value as Plan)}
          error={form.errors.fields.plan}
        >
          {(Object.keys(planLabels) as Plan[]).map((name) => (
            <option key={name} value={name}>
              {planLabels[name]}
            </option>
          ))}
        </SelectField>
        <button type="submit" className="btn btn-primary" disabled={change.isPending || plan === current}>
          {change.isPending ? 'Saving…' : 'Switch plan'}
        </button>
      </form>
    </section>
  );
}
