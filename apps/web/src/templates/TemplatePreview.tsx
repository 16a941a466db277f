import { Fragment, type ReactNode } from 'react';
import { formatWhatsApp, WaBubble } from '../ui/WaBubble';
import type { Draft } from './draft';

const MEDIA: Record<string, string> = { IMAGE: '🖼 Image', VIDEO: '🎥 Video', DOCUMENT: '📄 Document' };
const VARIABLE = /(\{\{\s*[A-Za-z0-9_]+\s*\}\})/g;

/** Text with each {{variable}} shown as its example (or as itself when none is given yet), highlighted. */
function withExamples(text: string, examples: Record<string, string>): ReactNode[] {
  return text.split(VARIABLE).map((part, index) => {
    const name = /^\{\{\s*([A-Za-z0-9_]+)\s*\}\}$/.exec(part)?.[1];
    // biome-ignore lint/suspicious/noArrayIndexKey: parts of one string, in order
    if (!name) return <Fragment key={index}>{formatWhatsApp(part)}</Fragment>;
    return (
      // biome-ignore lint/suspicious/noArrayIndexKey: parts of one string, in order
      <mark key={index} className="wa-var">
        {examples[name]?.trim() || part}
      </mark>
    );
  });
}

/** The draft as the customer will see it, updated on every keystroke. */
export function TemplatePreview({
  draft,
}: {
  draft: Pick<
    Draft,
    'headerFormat' | 'headerText' | 'body' | 'footer' | 'headerExamples' | 'bodyExamples' | 'buttons'
  >;
}) {
  const header =
    draft.headerFormat === 'TEXT' && draft.headerText
      ? withExamples(draft.headerText, draft.headerExamples)
      : null;
  return (
    <section className="wa-chat template-preview" aria-label="Preview">
      <WaBubble
        side="in"
        media={MEDIA[draft.headerFormat] ?? null}
        header={null}
        body={
          <>
            {header && <strong className="wa-header-inline">{header}</strong>}
            {draft.body ? (
              withExamples(draft.body, draft.bodyExamples)
            ) : (
              <span className="muted">Your message…</span>
            )}
          </>
        }
        footer={draft.footer || null}
        time="12:00"
        buttons={draft.buttons.map((button) => ({
          title: button.text || 'Button',
          kind: button.type === 'URL' ? 'url' : button.type === 'PHONE_NUMBER' ? 'call' : 'quick_reply',
        }))}
      />
    </section>
  );
}

/** Draft fields from a stored template's components, to preview templates in the list. */
export function draftOf(
  components: Record<string, unknown>[],
): Parameters<typeof TemplatePreview>[0]['draft'] {
  const part = (type: string) => components.find((c) => c.type === type);
  const header = part('HEADER');
  const text = (c: Record<string, unknown> | undefined) => (typeof c?.text === 'string' ? c.text : '');
  const buttons = Array.isArray(part('BUTTONS')?.buttons)
    ? (part('BUTTONS')?.buttons as Record<string, unknown>[])
    : [];
  return {
    headerFormat: header ? ((header.format as Draft['headerFormat'] | undefined) ?? 'TEXT') : 'NONE',
    headerText: text(header),
    body: text(part('BODY')),
    footer: text(part('FOOTER')),
    headerExamples: examplesOf(header, 'header_text'),
    bodyExamples: examplesOf(part('BODY'), 'body_text'),
    buttons: buttons.map((b) => ({
      type: (b.type as Draft['buttons'][number]['type']) ?? 'QUICK_REPLY',
      text: typeof b.text === 'string' ? b.text : '',
      url: '',
      urlExample: '',
      phone: '',
    })),
  };
}

/** The examples a stored component was submitted with, by variable name (positional or named). */
function examplesOf(component: Record<string, unknown> | undefined, key: 'header_text' | 'body_text') {
  const example = (component?.example ?? {}) as Record<string, unknown>;
  const named = example[`${key}_named_params`];
  if (Array.isArray(named)) {
    return Object.fromEntries(
      named.map((p: { param_name?: string; example?: string }) => [p.param_name ?? '', p.example ?? '']),
    );
  }
  const raw = example[key];
  const row = Array.isArray(raw) && Array.isArray(raw[0]) ? raw[0] : raw;
  return Array.isArray(row) ? Object.fromEntries(row.map((value, i) => [String(i + 1), String(value)])) : {};
}
