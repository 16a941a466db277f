import { type FormEvent, useId, useMemo, useState } from 'react';
import { errorMessage } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { useAnnounce } from '../ui/announcer';
import { FormError } from '../ui/Field';
import { WaBubble } from '../ui/WaBubble';
import { useApprovedTemplates, useChannels, useSendMessage } from './queries';
import { fieldKey, newIdempotencyKey, renderTemplate, templateFields, templateParameters } from './send';
import type { Conversation } from './types';

/** Pick an approved template of this number's WABA, fill its variables, see the message, send. */
export function TemplatePicker({
  conversation,
  onCancel,
}: {
  conversation: Conversation;
  onCancel?: () => void;
}) {
  const { id: ws } = useWorkspace();
  const channels = useChannels(ws);
  const wabaId = channels.data?.items.find((c) => c.id === conversation.channelId)?.wabaId;
  const templates = useApprovedTemplates(ws, wabaId);
  const send = useSendMessage(ws, conversation.id);
  const announce = useAnnounce();
  const [templateId, setTemplateId] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [key, setKey] = useState(newIdempotencyKey);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  const list = templates.data?.items ?? [];
  const template = list.find((t) => t.id === templateId);
  const fields = useMemo(() => (template ? templateFields(template) : []), [template]);
  const preview = template ? renderTemplate(template, values) : null;
  const missing = fields.filter((f) => !values[fieldKey(f)]?.trim());

  function choose(id: string) {
    setTemplateId(id);
    setValues({});
    setError(null);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!template) return;
    if (missing.length > 0) return setError(`Fill in ${missing.map((f) => `{{${f.name}}}`).join(', ')}`);
    setError(null);
    try {
      await send.mutateAsync({
        key,
        body: {
          type: 'template',
          channelId: conversation.channelId,
          contactId: conversation.contact.id,
          template: {
            name: template.name,
            language: template.language,
            parameters: templateParameters(template, values),
          },
        },
      });
      announce(`Template “${template.name}” sent`);
      setKey(newIdempotencyKey());
      choose('');
      onCancel?.();
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }

  return (
    <form className="template-picker" onSubmit={submit} aria-label="Send a template">
      <div className="template-picker-row">
        <div className="field">
          <label htmlFor={`${id}-template`}>Template</label>
          <select id={`${id}-template`} value={templateId} onChange={(e) => choose(e.target.value)} required>
            <option value="">
              {templates.isPending || channels.isPending
                ? 'Loading templates…'
                : 'Choose an approved template'}
            </option>
            {list.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} ({t.language}) · {t.category.toLowerCase()}
              </option>
            ))}
          </select>
        </div>
        {onCancel && (
          <button type="button" className="btn btn-ghost btn-small" onClick={onCancel}>
            Back to message
          </button>
        )}
      </div>
      {templates.isSuccess && list.length === 0 && (
        <p className="muted small">No approved templates for this number yet. Create one under Templates.</p>
      )}
      {template && (
        <div className="template-grid">
          <div className="template-fields">
            {fields.length === 0 && <p className="muted small">This template has no variables.</p>}
            {fields.map((f) => (
              <div key={fieldKey(f)} className="field">
                <label htmlFor={`${id}-${fieldKey(f)}`}>
                  {f.where === 'header' ? 'Header ' : ''}
                  {`{{${f.name}}}`}
                </label>
                <input
                  id={`${id}-${fieldKey(f)}`}
                  value={values[fieldKey(f)] ?? ''}
                  onChange={(e) => setValues({ ...values, [fieldKey(f)]: e.target.value })}
                  aria-invalid={error && !values[fieldKey(f)]?.trim() ? true : undefined}
                />
              </div>
            ))}
          </div>
          {preview && (
            <figure className="picker-preview wa-chat" aria-label="Preview">
              <figcaption className="small muted">Preview</figcaption>
              <WaBubble
                side="out"
                header={preview.header}
                body={preview.body}
                footer={preview.footer}
                buttons={preview.buttons}
              />
            </figure>
          )}
        </div>
      )}
      <FormError message={error} />
      <div className="composer-actions">
        <span className="muted small">Templates may be sent at any time; they are billed by Meta.</span>
        <button type="submit" className="btn btn-primary" disabled={!template || send.isPending}>
          {send.isPending ? 'Sending…' : 'Send template'}
        </button>
      </div>
    </form>
  );
}
