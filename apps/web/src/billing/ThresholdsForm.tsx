import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { api, call } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { useAnnounce } from '../ui/announcer';
import { FormError, TextField } from '../ui/Field';
import { missing, readForm, useFormErrors } from '../ui/forms';
import { ErrorState, Spinner } from '../ui/states';
import { type GovernanceSettings, governanceSettingsKey, useGovernanceSettings } from './queries';

type NumberSetting = Exclude<keyof GovernanceSettings, 'enabled'>;

const numberFields: { name: NumberSetting; label: string; hint: string }[] = [
  {
    name: 'optOutRateBasisPoints',
    label: 'Opt-out rate (basis points)',
    hint: "Flag a template when opt-outs after it exceed this share of the hour's sends; 200 = 2%.",
  },
  {
    name: 'failureRateBasisPoints',
    label: 'Failure rate (basis points)',
    hint: 'Failures 131026 (undeliverable or blocked) and 131049 (marketing cap); 1000 = 10%.',
  },
  {
    name: 'minSample',
    label: 'Sends before rates count',
    hint: 'Sends in the hour before either rate is judged.',
  },
  {
    name: 'volumeJumpFactor',
    label: 'Volume jump (× hourly average)',
    hint: "Flag when the last hour's sends reach this multiple of the day's hourly average.",
  },
  { name: 'volumeMinSends', label: 'Sends before a jump counts', hint: 'Smaller hours are never a jump.' },
];

/** The workspace's governance thresholds; editable with `templates.manage`, errors beside each field. */
export function ThresholdsCard() {
  const { id: workspaceId } = useWorkspace();
  const settings = useGovernanceSettings(workspaceId);
  return (
    <section className="card" aria-labelledby="thresholds-title">
      <div className="card-head">
        <div>
          <h2 id="thresholds-title">Thresholds</h2>
          <p className="muted small">
            Checked every minute over each template's last hour. A flag emails the Owners; on a marketing
            template it also pauses sends until someone reviews it.
          </p>
        </div>
      </div>
      {settings.isPending && <Spinner label="Loading thresholds…" />}
      {settings.isError && <ErrorState error={settings.error} onRetry={() => settings.refetch()} />}
      {settings.data && <ThresholdsForm key={JSON.stringify(settings.data)} settings={settings.data} />}
    </section>
  );
}

function ThresholdsForm({ settings }: { settings: GovernanceSettings }) {
  const { id: workspaceId, can } = useWorkspace();
  const editable = can('templates.manage');
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const form = useFormErrors(['enabled', ...numberFields.map((field) => field.name)]);
  const save = useMutation({
    mutationFn: (body: Partial<GovernanceSettings>) =>
      call(
        api.PATCH('/api/v1/workspaces/{workspaceId}/billing/governance/settings', {
          params: { path: { workspaceId } },
          body,
        }),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData(governanceSettingsKey(workspaceId), saved);
      announce('Governance thresholds saved');
    },
    onError: form.fail,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    const empty = missing(
      values,
      numberFields.map((field) => field.name),
    );
    if (Object.keys(empty).length > 0) return form.invalid(empty);
    form.clear();
    // The server judges the numbers (whole, in range) and answers per field.
    const body: Partial<GovernanceSettings> = { enabled: values.enabled === 'on' };
    for (const field of numberFields) body[field.name] = Number(values[field.name]);
    save.mutate(body);
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Governance thresholds" className="stack">
      <FormError message={form.errors.message} />
      <fieldset className="stack thresholds-set" disabled={!editable || save.isPending}>
        <label className="checkbox">
          <input type="checkbox" name="enabled" defaultChecked={settings.enabled} />
          Flag templates that cross these thresholds
        </label>
        <div className="thresholds">
          {numberFields.map((field) => (
            <TextField
              key={field.name}
              label={field.label}
              name={field.name}
              type="number"
              inputMode="numeric"
              defaultValue={settings[field.name]}
              hint={field.hint}
              error={form.errors.fields[field.name]}
            />
          ))}
        </div>
      </fieldset>
      {editable ? (
        <div>
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save thresholds'}
          </button>
        </div>
      ) : (
        <p className="muted small">Only people who manage templates can change the thresholds.</p>
      )}
    </form>
  );
}
