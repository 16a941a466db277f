import type { components } from '../api/schema';
import type { BubbleButton } from '../ui/WaBubble';
import type { Template } from './types';

export type SendMessageRequest = components['schemas']['SendMessageRequest'];
type TemplateParameters = NonNullable<
  Extract<SendMessageRequest, { type: 'template' }>['template']['parameters']
>;

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

function componentText(template: Template, type: 'HEADER' | 'BODY'): string | undefined {
  const component = template.components.find((c) => String(c.type).toUpperCase() === type);
  if (!component) return undefined;
  if (type === 'HEADER' && String(component.format ?? 'TEXT').toUpperCase() !== 'TEXT') return undefined;
  return typeof component.text === 'string' ? component.text : undefined;
}

function variablesOf(text: string | undefined): string[] {
  if (!text) return [];
  const names: string[] = [];
  for (const match of text.matchAll(VARIABLE))
    if (!names.includes(match[1] as string)) names.push(match[1] as string);
  return names;
}

/** The fields the template needs: header and body variables, in order of appearance. */
export interface TemplateField {
  where: 'header' | 'body';
  name: string;
}

export function templateFields(template: Template): TemplateField[] {
  return [
    ...variablesOf(componentText(template, 'HEADER')).map((name) => ({ where: 'header' as const, name })),
    ...variablesOf(componentText(template, 'BODY')).map((name) => ({ where: 'body' as const, name })),
  ];
}

export const fieldKey = (field: TemplateField) => `${field.where}.${field.name}`;

/** What the customer will read, with the values typed so far (blanks stay as {{name}}). */
export function renderTemplate(
  template: Template,
  values: Record<string, string>,
): { header?: string; body: string; footer?: string; buttons: BubbleButton[] } {
  const fill = (where: 'header' | 'body', text: string | undefined) =>
    text?.replace(VARIABLE, (whole, name: string) => values[`${where}.${name}`]?.trim() || whole);
  const footer = template.components.find((c) => String(c.type).toUpperCase() === 'FOOTER');
  const buttons = template.components.find((c) => String(c.type).toUpperCase() === 'BUTTONS');
  return {
    header: fill('header', componentText(template, 'HEADER')),
    body: fill('body', componentText(template, 'BODY')) ?? '',
    footer: typeof footer?.text === 'string' ? footer.text : undefined,
    buttons: Array.isArray(buttons?.buttons)
      ? (buttons.buttons as { text?: unknown; type?: unknown }[]).map((b) => ({
          title: String(b.text ?? ''),
          kind: b.type === 'URL' ? 'url' : b.type === 'PHONE_NUMBER' ? 'call' : 'quick_reply',
        }))
      : [],
  };
}

/** The send API's `parameters`: a list for positional templates, an object for named ones. */
export function templateParameters(template: Template, values: Record<string, string>): TemplateParameters {
  const fields = templateFields(template);
  const part = (where: 'header' | 'body') => {
    const names = fields.filter((f) => f.where === where).map((f) => f.name);
    if (names.length === 0) return undefined;
    const value = (name: string) => values[`${where}.${name}`]?.trim() ?? '';
    if (template.parameterFormat === 'named') return Object.fromEntries(names.map((n) => [n, value(n)]));
    return names.map(value);
  };
  const header = part('header');
  const body = part('body');
  return {
    ...(header ? { header: Array.isArray(header) ? (header[0] ?? '') : header } : {}),
    ...(body ? { body } : {}),
  };
}

/** A fresh key per composed message; kept across retries of that same message. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
