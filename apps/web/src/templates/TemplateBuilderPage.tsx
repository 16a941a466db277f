import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  type ChangeEvent,
  type FormEvent,
  type ReactNode,
  type TextareaHTMLAttributes,
  useEffect,
  useId,
  useMemo,
  useState,
} from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError, api, call, errorMessage } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { channelLabel, useChannels } from '../channels/queries';
import { useAnnounce } from '../ui/announcer';
import { FormError, SelectField, TextField } from '../ui/Field';
import { EmptyState, ErrorState, PageHeader, Spinner } from '../ui/states';
import {
  type ButtonType,
  type Draft,
  type DraftErrors,
  draftVariables,
  emptyDraft,
  newButton,
  toErrors,
  toRequest,
  validateDraft,
} from './draft';
import { templatesKey } from './queries';
import { TemplatePreview } from './TemplatePreview';
import './templates.css';

const LANGUAGES = [
  'en_US',
  'en_GB',
  'en',
  'hi',
  'es',
  'es_MX',
  'pt_BR',
  'id',
  'ar',
  'fr',
  'de',
  'it',
  'tr',
  'ru',
];
const BUTTON_LABELS: Record<ButtonType, string> = {
  QUICK_REPLY: 'Quick reply',
  URL: 'Visit website',
  PHONE_NUMBER: 'Call phone number',
};

export default function TemplateBuilderPage() {
  const { id: workspaceId, can } = useWorkspace();
  const channels = useChannels(workspaceId);
  const connected = (channels.data?.items ?? []).filter((c) => c.status === 'connected');

  if (!can('templates.manage')) return <EmptyState title="Templates are created by Owners and Managers" />;
  return (
    <>
      <PageHeader title="New template">
        <Link to=".." relative="path" className="btn">
          Back to templates
        </Link>
      </PageHeader>
      {channels.isPending && <Spinner label="Loading numbers…" />}
      {channels.isError && <ErrorState error={channels.error} onRetry={() => channels.refetch()} />}
      {channels.data &&
        (connected.length === 0 ? (
          <EmptyState title="Connect a WhatsApp number first">
            Templates belong to the WhatsApp Business Account of a number.{' '}
            <Link to="../../channels" relative="path">
              Go to Channels
            </Link>
          </EmptyState>
        ) : (
          <Builder channels={connected.map((c) => ({ id: c.id, label: channelLabel(c) }))} />
        ))}
    </>
  );
}

function Builder({ channels }: { channels: { id: string; label: string }[] }) {
  const { id: workspaceId } = useWorkspace();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Draft>(() => emptyDraft(channels[0]?.id));
  const [attempted, setAttempted] = useState(false);
  const [serverErrors, setServerErrors] = useState<DraftErrors>({});
  const [banner, setBanner] = useState<string | null>(null);
  const local = useMemo(() => validateDraft(draft), [draft]);
  const errors: DraftErrors = { ...(attempted ? local : {}), ...serverErrors };
  const problems = Object.keys(local).length;
  const localProblems =
    attempted && problems > 0
      ? `Fix ${problems === 1 ? 'the problem' : `the ${problems} problems`} marked below before submitting.`
      : null;
  const vars = draftVariables(draft);

  const submit = useMutation({
    mutationFn: () => {
      const { template } = toRequest(draft);
      return call(
        api.POST('/api/v1/workspaces/{workspaceId}/templates', {
          params: { path: { workspaceId } },
          body: { channelId: draft.channelId, template },
        }),
      );
    },
    onSuccess: async ({ template }) => {
      await queryClient.invalidateQueries({ queryKey: templatesKey(workspaceId) });
      announce(`Template “${template.name}” submitted to Meta for review`);
      navigate('..', { relative: 'path' });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.details.length > 0) {
        const mapped = toErrors(error.details, toRequest(draft).parts);
        const { _: stray, ...fields } = mapped;
        setServerErrors(fields);
        setBanner(stray ? `${error.message}: ${stray}` : error.message);
      } else {
        setBanner(errorMessage(error));
      }
    },
  });

  // Anything the server said about the old draft no longer applies once it changes.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on edits only
  useEffect(() => {
    setServerErrors({});
  }, [draft]);

  const update = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const field =
    (key: 'name' | 'language' | 'headerText' | 'headerHandle' | 'body' | 'footer') =>
    (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      update(key, event.target.value);
  const updateButton = (index: number, patch: Partial<Draft['buttons'][number]>) =>
    update(
      'buttons',
      draft.buttons.map((b, i) => (i === index ? { ...b, ...patch } : b)),
    );
  const addVariable = () => {
    const numbered = vars.body.filter((name) => /^\d+$/.test(name));
    update('body', `${draft.body}{{${numbered.length + 1}}}`);
  };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAttempted(true);
    setBanner(null);
    if (Object.keys(local).length === 0) submit.mutate();
  }

  return (
    <div className="builder">
      <form className="stack-lg builder-form" onSubmit={onSubmit} noValidate aria-label="Template">
        <FormError message={banner ?? localProblems} />
        <section className="card stack" aria-labelledby="basics-title">
          <h2 id="basics-title">Basics</h2>
          <SelectField
            label="WhatsApp number"
            name="channelId"
            value={draft.channelId}
            onChange={(e) => update('channelId', e.target.value)}
            error={errors.channelId}
            hint="The template is created in this number's WhatsApp Business Account."
          >
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </SelectField>
          <TextField
            label="Name"
            name="name"
            value={draft.name}
            onChange={field('name')}
            autoComplete="off"
            hint="Lowercase letters, digits and underscores, e.g. order_ready."
            error={errors.name}
          />
          <div className="builder-row">
            <TextField
              label="Language"
              name="language"
              value={draft.language}
              onChange={field('language')}
              list="template-languages"
              error={errors.language}
            />
            <datalist id="template-languages">
              {LANGUAGES.map((code) => (
                <option key={code} value={code} />
              ))}
            </datalist>
            <SelectField
              label="Category"
              name="category"
              value={draft.category}
              onChange={(e) => update('category', e.target.value as Draft['category'])}
              error={errors.category}
            >
              <option value="UTILITY">Utility — about an order or account</option>
              <option value="MARKETING">Marketing — offers and news</option>
              <option value="AUTHENTICATION">Authentication — one-time codes</option>
            </SelectField>
          </div>
        </section>

        <section className="card stack" aria-labelledby="content-title">
          <h2 id="content-title">Content</h2>
          <SelectField
            label="Header"
            name="headerFormat"
            value={draft.headerFormat}
            onChange={(e) => update('headerFormat', e.target.value as Draft['headerFormat'])}
          >
            <option value="NONE">None</option>
            <option value="TEXT">Text</option>
            <option value="IMAGE">Image</option>
            <option value="VIDEO">Video</option>
            <option value="DOCUMENT">Document</option>
          </SelectField>
          {draft.headerFormat === 'TEXT' && (
            <TextField
              label="Header text"
              name="headerText"
              value={draft.headerText}
              onChange={field('headerText')}
              hint="Up to 60 characters and one variable."
              error={errors.headerText}
            />
          )}
          {['IMAGE', 'VIDEO', 'DOCUMENT'].includes(draft.headerFormat) && (
            <TextField
              label="Sample media handle"
              name="headerHandle"
              value={draft.headerHandle}
              onChange={field('headerHandle')}
              hint="Meta reviews a sample file: the handle its Resumable Upload API returned (e.g. 4::aW1h…)."
              error={errors.headerHandle}
            />
          )}
          <TextAreaField
            label="Body"
            name="body"
            value={draft.body}
            onChange={field('body')}
            rows={5}
            hint={
              <>
                Up to 1,024 characters. Variables: {'{{1}}'}, {'{{2}}'} … in order. *bold*, _italic_.{' '}
                <button type="button" className="btn-link" onClick={addVariable}>
                  Add variable
                </button>
              </>
            }
            error={errors.body}
          />
          {vars.header.length + vars.body.length > 0 && (
            <fieldset className="examples">
              <legend>Examples for the review</legend>
              <p className="field-hint">Meta reviews the template with these values. Use realistic ones.</p>
              <div className="builder-row">
                {(['header', 'body'] as const).flatMap((part) =>
                  vars[part].map((name) => {
                    const key = part === 'header' ? 'headerExamples' : 'bodyExamples';
                    return (
                      <TextField
                        key={`${part}-${name}`}
                        label={`Example for ${part} {{${name}}}`}
                        name={`${part}-example-${name}`}
                        value={draft[key][name] ?? ''}
                        onChange={(e) => update(key, { ...draft[key], [name]: e.target.value })}
                      />
                    );
                  }),
                )}
              </div>
              {errors.headerExamples && <p className="field-error">Header: {errors.headerExamples}</p>}
              {errors.bodyExamples && <p className="field-error">Body: {errors.bodyExamples}</p>}
            </fieldset>
          )}
          <TextField
            label="Footer (optional)"
            name="footer"
            value={draft.footer}
            onChange={field('footer')}
            hint="Up to 60 characters, no variables."
            error={errors.footer}
          />
        </section>

        <section className="card stack" aria-labelledby="buttons-title">
          <h2 id="buttons-title">Buttons (optional)</h2>
          {draft.buttons.map((button, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a button's position is its identity here
            <fieldset key={index} className="button-draft">
              <legend>
                Button {index + 1}: {BUTTON_LABELS[button.type]}
              </legend>
              <TextField
                label="Button text"
                name={`button-${index}-text`}
                value={button.text}
                maxLength={25}
                onChange={(e) => updateButton(index, { text: e.target.value })}
                error={errors[`button.${index}.text`]}
              />
              {button.type === 'URL' && (
                <>
                  <TextField
                    label="Website URL"
                    name={`button-${index}-url`}
                    type="url"
                    value={button.url}
                    onChange={(e) => updateButton(index, { url: e.target.value })}
                    hint="May end with {{1}} for a part you fill in when sending."
                    error={errors[`button.${index}.url`]}
                  />
                  {/\{\{1\}\}$/.test(button.url) && (
                    <TextField
                      label="Example URL"
                      name={`button-${index}-example`}
                      type="url"
                      value={button.urlExample}
                      onChange={(e) => updateButton(index, { urlExample: e.target.value })}
                      error={errors[`button.${index}.urlExample`]}
                    />
                  )}
                </>
              )}
              {button.type === 'PHONE_NUMBER' && (
                <TextField
                  label="Phone number"
                  name={`button-${index}-phone`}
                  type="tel"
                  value={button.phone}
                  onChange={(e) => updateButton(index, { phone: e.target.value })}
                  hint="International format, e.g. +14155550123."
                  error={errors[`button.${index}.phone`]}
                />
              )}
              <div>
                <button
                  type="button"
                  className="btn btn-small btn-ghost-danger"
                  onClick={() =>
                    update(
                      'buttons',
                      draft.buttons.filter((_, i) => i !== index),
                    )
                  }
                >
                  Remove button {index + 1}
                </button>
              </div>
            </fieldset>
          ))}
          {errors.buttons && <p className="field-error">{sentence(errors.buttons)}</p>}
          {draft.buttons.length < 10 && (
            <div className="button-adders">
              {(Object.keys(BUTTON_LABELS) as ButtonType[]).map((type) => (
                <button
                  key={type}
                  type="button"
                  className="btn btn-small"
                  onClick={() => update('buttons', [...draft.buttons, newButton(type)])}
                >
                  + {BUTTON_LABELS[type]}
                </button>
              ))}
            </div>
          )}
        </section>

        <div className="builder-actions">
          <button type="submit" className="btn btn-primary" disabled={submit.isPending}>
            {submit.isPending ? 'Submitting…' : 'Submit for review'}
          </button>
        </div>
      </form>
      <aside className="builder-preview" aria-label="Live preview">
        <h2 className="small muted">Preview</h2>
        <TemplatePreview draft={draft} />
      </aside>
    </div>
  );
}

function TextAreaField({
  label,
  name,
  error,
  hint,
  ...textarea
}: { label: string; name: string; error?: string | undefined; hint?: ReactNode } & Omit<
  TextareaHTMLAttributes<HTMLTextAreaElement>,
  'name'
>) {
  const id = useId();
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
        {...textarea}
      />
      {hint && (
        <div className="field-hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {sentence(error)}
        </p>
      )}
    </div>
  );
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
