import type { TemplateSendComponent } from '@openwaba/cloud-api';
import { z } from 'zod';
import { VARIABLE, variablesOf } from './templates.variables.js';

/**
 * Filling a template's variables: the one place that turns the caller's parameters into Meta's
 * `components`, used by the preview and by the send path, so both report the same problems.
 */

const mediaValue = z.object({
  type: z.enum(['image', 'video', 'document']),
  link: z.url().optional(),
  id: z.string().min(1).optional(),
  filename: z.string().min(1).optional(),
});

export const templateParametersSchema = z.object({
  /** Header text variable (a string, or by name), or the header's media. */
  header: z.union([z.string(), z.record(z.string(), z.string()), mediaValue]).optional(),
  /** Body variables: a list for positional templates ({{1}}, {{2}} …), an object for named ones. */
  body: z.union([z.array(z.string()), z.record(z.string(), z.string())]).optional(),
  /** Dynamic button values: a URL suffix, a quick-reply payload or a coupon code, by button index. */
  buttons: z.array(z.object({ index: z.number().int().min(0).max(9), value: z.string() })).optional(),
});
export type TemplateParameters = z.infer<typeof templateParametersSchema>;

export interface ParameterProblem {
  path: string;
  message: string;
}

export interface TemplateShape {
  parameterFormat: 'positional' | 'named';
  components: Record<string, unknown>[];
}

/** Meta refuses parameter text with new lines, tabs or more than four spaces in a row (132018). */
function malformed(value: string): string | null {
  if (value.trim().length === 0) return 'is empty';
  if (/[\n\t]/.test(value)) return 'contains a new line or a tab';
  if (/ {5,}/.test(value)) return 'contains more than four spaces in a row';
  if (value.length > 1024) return 'is longer than 1024 characters';
  return null;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const componentOf = (shape: TemplateShape, type: string) =>
  shape.components.find((c) => str(c.type)?.toUpperCase() === type);

export type FillResult =
  | { ok: true; components: TemplateSendComponent[]; rendered: { header?: string; body: string } }
  | { ok: false; problems: ParameterProblem[] };

function fillText(
  shape: TemplateShape,
  where: 'header' | 'body',
  text: string,
  given: string | string[] | Record<string, string> | undefined,
  problems: ParameterProblem[],
): { parameters: TemplateSendComponent['parameters']; rendered: string } {
  const names = variablesOf(text);
  const values = new Map<string, string>();
  if (shape.parameterFormat === 'positional') {
    const list = typeof given === 'string' ? [given] : Array.isArray(given) ? given : undefined;
    if (given !== undefined && !list) problems.push({ path: where, message: 'give a list of values' });
    names.forEach((name, i) => {
      const value = list?.[i];
      if (value === undefined) problems.push({ path: `${where}[${i}]`, message: `{{${name}}} is missing` });
      else values.set(name, value);
    });
    if (list && list.length > names.length) {
      problems.push({ path: where, message: `expects ${names.length} values, got ${list.length}` });
    }
  } else {
    const record = given && typeof given === 'object' && !Array.isArray(given) ? given : undefined;
    if (given !== undefined && !record) problems.push({ path: where, message: 'give values by name' });
    for (const name of names) {
      const value = record?.[name];
      if (value === undefined) problems.push({ path: `${where}.${name}`, message: `{{${name}}} is missing` });
      else values.set(name, value);
    }
    for (const extra of Object.keys(record ?? {}).filter((key) => !names.includes(key))) {
      problems.push({ path: `${where}.${extra}`, message: 'the template has no such variable' });
    }
  }
  for (const [name, value] of values) {
    const problem = malformed(value);
    const path =
      shape.parameterFormat === 'positional' ? `${where}[${names.indexOf(name)}]` : `${where}.${name}`;
    if (problem) problems.push({ path, message: `${problem}` });
  }
  const parameters = names.map((name) => ({
    type: 'text' as const,
    text: values.get(name) ?? '',
    ...(shape.parameterFormat === 'named' ? { parameter_name: name } : {}),
  }));
  const rendered = text.replace(VARIABLE, (_m, name: string) => values.get(name) ?? `{{${name}}}`);
  return { parameters, rendered };
}

/** Checks the given parameters against the template and builds Meta's send components. */
export function fillTemplate(shape: TemplateShape, params: TemplateParameters = {}): FillResult {
  const problems: ParameterProblem[] = [];
  const components: TemplateSendComponent[] = [];
  let renderedHeader: string | undefined;

  const header = componentOf(shape, 'HEADER');
  const format = str(header?.format)?.toUpperCase() ?? 'TEXT';
  if (header && format === 'TEXT') {
    const text = str(header.text) ?? '';
    const given = params.header;
    if (
      given !== undefined &&
      typeof given === 'object' &&
      'type' in given &&
      typeof given.type === 'string'
    ) {
      problems.push({ path: 'header', message: 'the template has a text header, not media' });
    } else {
      const filled = fillText(shape, 'header', text, given as string | Record<string, string>, problems);
      renderedHeader = filled.rendered;
      if (filled.parameters.length > 0) components.push({ type: 'header', parameters: filled.parameters });
    }
  } else if (header && ['IMAGE', 'VIDEO', 'DOCUMENT'].includes(format)) {
    const kind = format.toLowerCase() as 'image' | 'video' | 'document';
    const media = params.header;
    if (!media || typeof media !== 'object' || !('type' in media) || typeof media.type !== 'string') {
      problems.push({ path: 'header', message: `the template needs a header ${kind} (link or id)` });
    } else if (media.type !== kind) {
      problems.push({ path: 'header.type', message: `the template's header is ${kind}, not ${media.type}` });
    } else if ((media.link === undefined) === (media.id === undefined)) {
      problems.push({ path: 'header', message: 'give exactly one of link or id' });
    } else {
      const ref = {
        ...(media.link ? { link: media.link } : { id: media.id as string }),
        ...(kind === 'document' && media.filename ? { filename: media.filename } : {}),
      };
      components.push({ type: 'header', parameters: [{ type: kind, [kind]: ref } as never] });
      renderedHeader = `[${kind}]`;
    }
  } else if (!header && params.header !== undefined) {
    problems.push({ path: 'header', message: 'the template has no header' });
  }

  const body = componentOf(shape, 'BODY');
  const bodyText = str(body?.text) ?? '';
  const filledBody = fillText(shape, 'body', bodyText, params.body, problems);
  if (filledBody.parameters.length > 0) components.push({ type: 'body', parameters: filledBody.parameters });

  const buttons = (componentOf(shape, 'BUTTONS')?.buttons as Record<string, unknown>[] | undefined) ?? [];
  const givenButtons = new Map((params.buttons ?? []).map((b) => [b.index, b.value]));
  buttons.forEach((button, index) => {
    const type = str(button.type)?.toUpperCase();
    const value = givenButtons.get(index);
    givenButtons.delete(index);
    if (type === 'URL' && variablesOf(str(button.url)).length > 0) {
      if (value === undefined)
        problems.push({ path: `buttons[${index}]`, message: 'the URL suffix is missing' });
      else
        components.push({
          type: 'button',
          sub_type: 'url',
          index: String(index),
          parameters: [{ type: 'text', text: value }],
        });
    } else if (type === 'COPY_CODE') {
      if (value === undefined)
        problems.push({ path: `buttons[${index}]`, message: 'the coupon code is missing' });
      else
        components.push({
          type: 'button',
          sub_type: 'copy_code',
          index: String(index),
          parameters: [{ type: 'coupon_code', coupon_code: value }],
        });
    } else if (type === 'QUICK_REPLY' && value !== undefined) {
      components.push({
        type: 'button',
        sub_type: 'quick_reply',
        index: String(index),
        parameters: [{ type: 'payload', payload: value }],
      });
    } else if (value !== undefined) {
      problems.push({ path: `buttons[${index}]`, message: 'this button takes no value' });
    }
  });
  for (const index of givenButtons.keys()) {
    problems.push({ path: `buttons[${index}]`, message: 'the template has no button at this index' });
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    components,
    rendered: {
      ...(renderedHeader !== undefined ? { header: renderedHeader } : {}),
      body: filledBody.rendered,
    },
  };
}
