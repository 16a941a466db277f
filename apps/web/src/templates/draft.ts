import { validateTemplate } from '../../../server/src/modules/templates/templates.validation';
import { variablesOf } from '../../../server/src/modules/templates/templates.variables';

/**
 * The template builder's form state, how it becomes Meta's create request, and how problems found in
 * that request (locally, by the very rules the server runs, or in the server's answer) map back to
 * the builder's fields.
 */

type CreateTemplateRequest = Parameters<typeof validateTemplate>[0];

export type HeaderFormat = 'NONE' | 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT';
export type ButtonType = 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER';
export type Category = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';

export interface ButtonDraft {
  type: ButtonType;
  text: string;
  url: string;
  urlExample: string;
  phone: string;
}

export interface Draft {
  channelId: string;
  name: string;
  language: string;
  category: Category;
  headerFormat: HeaderFormat;
  headerText: string;
  headerHandle: string;
  body: string;
  footer: string;
  /** Example values by variable name ('1', '2' … or 'first_name'); header and body number their own. */
  headerExamples: Record<string, string>;
  bodyExamples: Record<string, string>;
  buttons: ButtonDraft[];
}

export const emptyDraft = (channelId = ''): Draft => ({
  channelId,
  name: '',
  language: 'en_US',
  category: 'UTILITY',
  headerFormat: 'NONE',
  headerText: '',
  headerHandle: '',
  body: '',
  footer: '',
  headerExamples: {},
  bodyExamples: {},
  buttons: [],
});

export const newButton = (type: ButtonType): ButtonDraft => ({
  type,
  text: '',
  url: '',
  urlExample: '',
  phone: '',
});

const usesHeaderText = (draft: Draft) => draft.headerFormat === 'TEXT';

/** Variables in the order they first appear: header first, then body. */
export function draftVariables(draft: Draft): { header: string[]; body: string[] } {
  return {
    header: usesHeaderText(draft) ? variablesOf(draft.headerText) : [],
    body: variablesOf(draft.body),
  };
}

function parameterFormat(draft: Draft): 'positional' | 'named' {
  const { header, body } = draftVariables(draft);
  return [...header, ...body].some((name) => !/^\d+$/.test(name)) ? 'named' : 'positional';
}

type Part = 'header' | 'body' | 'footer' | 'buttons';

/** Meta's create request, plus which builder part each component index came from. */
export function toRequest(draft: Draft): { template: CreateTemplateRequest; parts: Part[] } {
  const format = parameterFormat(draft);
  const vars = draftVariables(draft);
  const example = (key: 'header_text' | 'body_text', names: string[]) => {
    if (names.length === 0) return undefined;
    const given = key === 'header_text' ? draft.headerExamples : draft.bodyExamples;
    const values = names.map((name) => given[name] ?? '');
    if (format === 'named') {
      return {
        [`${key}_named_params`]: names.map((name, i) => ({ param_name: name, example: values[i] })),
      };
    }
    return { [key]: key === 'body_text' ? [values] : values };
  };
  const components: Record<string, unknown>[] = [];
  const parts: Part[] = [];
  const add = (part: Part, component: Record<string, unknown>) => {
    parts.push(part);
    components.push(component);
  };
  if (draft.headerFormat === 'TEXT') {
    add('header', {
      type: 'HEADER',
      format: 'TEXT',
      text: draft.headerText,
      example: example('header_text', vars.header),
    });
  } else if (draft.headerFormat !== 'NONE') {
    add('header', {
      type: 'HEADER',
      format: draft.headerFormat,
      example: draft.headerHandle ? { header_handle: [draft.headerHandle] } : undefined,
    });
  }
  add('body', { type: 'BODY', text: draft.body, example: example('body_text', vars.body) });
  if (draft.footer) add('footer', { type: 'FOOTER', text: draft.footer });
  if (draft.buttons.length > 0) {
    add('buttons', {
      type: 'BUTTONS',
      buttons: draft.buttons.map((button) => {
        if (button.type === 'URL') {
          const dynamic = variablesOf(button.url).length > 0;
          return {
            type: 'URL',
            text: button.text,
            url: button.url,
            ...(dynamic && button.urlExample ? { example: [button.urlExample] } : {}),
          };
        }
        if (button.type === 'PHONE_NUMBER')
          return { type: 'PHONE_NUMBER', text: button.text, phone_number: button.phone };
        return { type: 'QUICK_REPLY', text: button.text };
      }),
    });
  }
  const template = {
    name: draft.name,
    language: draft.language,
    category: draft.category,
    ...(format === 'named' ? { parameter_format: 'named' as const } : {}),
    components: JSON.parse(JSON.stringify(components)) as CreateTemplateRequest['components'],
  };
  return { template, parts };
}

export type DraftErrors = Record<string, string>;

/**
 * Puts a problem's path (`components[2].buttons[0].url`, `body.template.name`, `header`) on the field
 * that shows it: name, language, category, channelId, headerText, headerHandle, body,
 * headerExamples, bodyExamples,
 * footer, buttons, button.N.text|url|urlExample|phone; anything else under `_`.
 */
export function fieldOf(path: string, parts: Part[]): string {
  const clean = path
    .replace(/^body\./, '')
    .replace(/^template\./, '')
    .replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  if (['name', 'language', 'category', 'channelId'].includes(clean)) return clean;
  if (clean === 'header') return 'headerText';
  if (clean === 'body') return 'body';
  const match = /^components\[(\d+)\](?:\.(\w+))?(?:\[(\d+)\])?(?:\.(\w+))?/.exec(clean);
  if (!match) return clean === 'components' ? 'body' : '_';
  const part = parts[Number(match[1])];
  const [, , key, buttonIndex, buttonKey] = match;
  if (part === 'buttons') {
    if (buttonIndex === undefined) return 'buttons';
    const field = { text: 'text', url: 'url', example: 'urlExample', phone_number: 'phone' }[
      buttonKey ?? 'text'
    ];
    return `button.${buttonIndex}.${field ?? 'text'}`;
  }
  if (part === 'header')
    return key === 'example'
      ? clean.includes('header_handle')
        ? 'headerHandle'
        : 'headerExamples'
      : 'headerText';
  if (part === 'body') return key === 'example' ? 'bodyExamples' : 'body';
  if (part === 'footer') return 'footer';
  return '_';
}

export function toErrors(problems: readonly { path: string; message: string }[], parts: Part[]): DraftErrors {
  const errors: DraftErrors = {};
  for (const problem of problems) {
    const field = fieldOf(problem.path, parts);
    errors[field] = errors[field] ? `${errors[field]}; ${problem.message}` : problem.message;
  }
  return errors;
}

/** The server's own rules, run in the browser before anything is sent; plus the choices only the form has. */
export function validateDraft(draft: Draft): DraftErrors {
  const { template, parts } = toRequest(draft);
  const errors = toErrors(validateTemplate(template), parts);
  if (!draft.channelId) errors.channelId ??= 'choose the number whose account gets the template';
  const vars = draftVariables(draft);
  const unexampled = (names: string[], given: Record<string, string>) =>
    names.filter((name) => !given[name]?.trim()).map((n) => `{{${n}}}`);
  const header = unexampled(vars.header, draft.headerExamples);
  const body = unexampled(vars.body, draft.bodyExamples);
  if (header.length > 0) errors.headerExamples = `give an example for ${header.join(', ')}`;
  if (body.length > 0) errors.bodyExamples = `give an example for ${body.join(', ')}`;
  draft.buttons.forEach((button, i) => {
    if (button.type === 'URL' && variablesOf(button.url).length > 0 && !button.urlExample.trim()) {
      errors[`button.${i}.urlExample`] ??= 'give an example URL';
    }
  });
  return errors;
}
