import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { useWorkspace } from '../app/workspace';
import { TagInput } from '../contacts/TagInput';
import { useAnnounce } from '../ui/announcer';
import { FormError } from '../ui/Field';
import { readForm, useFormErrors } from '../ui/forms';
import { ErrorState, Spinner } from '../ui/states';
import '../contacts/contacts.css';

type OptOutSettings = components['schemas']['OptOutSettings'];
const settingsKey = (workspaceId: string) => ['opt-out-settings', workspaceId] as const;

/** Settings → Opt-out: the workspace's own STOP/START words and the replies that confirm them. */
export default function OptOutSettingsPage() {
  const { id: workspaceId } = useWorkspace();
  const settings = useQuery({
    queryKey: settingsKey(workspaceId),
    queryFn: () =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/opt-out-settings', { params: { path: { workspaceId } } }),
      ),
  });
  return (
    <section className="card" aria-labelledby="opt-out-title">
      <div className="card-head">
        <div>
          <h2 id="opt-out-title">Opt-out</h2>
          <p className="muted small">
            A customer who replies with one of these words alone is opted out (or back in) at once, and gets
            the confirmation below. The built-in words always work.
          </p>
        </div>
      </div>
      {settings.isPending && <Spinner label="Loading opt-out settings…" />}
      {settings.isError && <ErrorState error={settings.error} onRetry={() => settings.refetch()} />}
      {settings.data && <SettingsForm key={JSON.stringify(settings.data)} settings={settings.data} />}
    </section>
  );
}

function SettingsForm({ settings }: { settings: OptOutSettings }) {
  const { id: workspaceId, can } = useWorkspace();
  const editable = can('workspace.update');
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const form = useFormErrors(['stopKeywords', 'startKeywords', 'stopReply', 'startReply']);
  const [stop, setStop] = useState(settings.stopKeywords);
  const [start, setStart] = useState(settings.startKeywords);
  const save = useMutation({
    mutationFn: (body: Omit<OptOutSettings, 'builtInStopKeywords' | 'builtInStartKeywords'>) =>
      call(
        api.PUT('/api/v1/workspaces/{workspaceId}/opt-out-settings', {
          params: { path: { workspaceId } },
          body,
        }),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData(settingsKey(workspaceId), saved);
      announce('Opt-out settings saved');
    },
    onError: form.fail,
  });

  // Server details name a keyword by position (`stopKeywords.1`): shown under its list.
  const listError = (field: 'stopKeywords' | 'startKeywords') =>
    form.errors.fields[field] ??
    Object.entries(form.errors.fields).find(([key]) => key.startsWith(`${field}.`))?.[1];

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    form.clear();
    save.mutate({
      stopKeywords: stop,
      startKeywords: start,
      stopReply: values.stopReply ?? '',
      startReply: values.startReply ?? '',
      sendConfirmation: values.sendConfirmation === 'on',
    });
  }

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="Opt-out settings">
      <FormError message={form.errors.message} />
      <TagInput
        label="Extra STOP words"
        values={stop}
        onChange={setStop}
        placeholder="e.g. ROKO — press Enter to add"
        error={listError('stopKeywords')}
        disabled={!editable}
      />
      <BuiltIn words={settings.builtInStopKeywords} />
      <TagInput
        label="Extra START words"
        values={start}
        onChange={setStart}
        placeholder="e.g. PHIR SE — press Enter to add"
        error={listError('startKeywords')}
        disabled={!editable}
      />
      <BuiltIn words={settings.builtInStartKeywords} />
      <label className="checkbox">
        <input
          type="checkbox"
          name="sendConfirmation"
          defaultChecked={settings.sendConfirmation}
          disabled={!editable}
        />
        Send a confirmation reply
      </label>
      <TextArea
        label="Reply after STOP"
        name="stopReply"
        defaultValue={settings.stopReply}
        error={form.errors.fields.stopReply}
        disabled={!editable}
      />
      <TextArea
        label="Reply after START"
        name="startReply"
        defaultValue={settings.startReply}
        error={form.errors.fields.startReply}
        disabled={!editable}
      />
      {editable && (
        <div>
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save'}
          </button>
        </div>
      )}
    </form>
  );
}

function BuiltIn({ words }: { words: string[] }) {
  return (
    <details className="small">
      <summary className="muted">Built-in words ({words.length})</summary>
      <div className="keyword-list">
        {words.map((word) => (
          <span key={word} className="badge">
            {word}
          </span>
        ))}
      </div>
    </details>
  );
}

function TextArea({
  label,
  name,
  defaultValue,
  error,
  disabled,
}: {
  label: string;
  name: string;
  defaultValue: string;
  error: string | undefined;
  disabled: boolean;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        name={name}
        className="textarea"
        defaultValue={defaultValue}
        maxLength={1024}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
