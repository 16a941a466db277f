import type { CreateTemplateRequest } from '@openwaba/cloud-api';
import type { ParameterProblem } from './templates.params.js';
import { variablesOf } from './templates.variables.js';

/**
 * Meta's template rules checked before a submission spends a call (and the 200/h management quota):
 * name, components, lengths, button counts, variables numbered in order (or named) with an example
 * for every one. Returns every problem, not just the first.
 */

const LIMITS = {
  header: 60,
  body: 1024,
  footer: 60,
  buttonText: 25,
  buttons: 10,
  urlButtons: 2,
  phoneButtons: 1,
};
const NAMED = /^[a-z][a-z0-9_]*$/;

type Component = Record<string, unknown>;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const obj = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

function checkVariables(
  text: string,
  path: string,
  format: 'positional' | 'named',
  problems: ParameterProblem[],
): string[] {
  const names = variablesOf(text);
  if (format === 'positional') {
    names.forEach((name, i) => {
      if (name !== String(i + 1)) {
        problems.push({ path, message: `variables must be {{1}}, {{2}} … in order; found {{${name}}}` });
      }
    });
  } else {
    for (const name of names) {
      if (!NAMED.test(name)) {
        problems.push({
          path,
          message: `named variables are lowercase letters, digits and _; found {{${name}}}`,
        });
      }
    }
  }
  const trimmed = text.trim();
  if (
    names.length > 0 &&
    (/^\{\{[^}]+\}\}/.test(trimmed) || /\{\{[^}]+\}\}$/.test(trimmed)) &&
    path === 'body'
  ) {
    problems.push({ path, message: 'the body may not start or end with a variable' });
  }
  return names;
}

function exampleCount(example: Record<string, unknown> | undefined, key: string, format: string): string[] {
  if (!example) return [];
  if (format === 'named') {
    const named = example[`${key}_named_params`];
    return Array.isArray(named)
      ? named.map((p) => str(obj(p)?.param_name)).filter((n): n is string => n !== undefined)
      : [];
  }
  const raw = example[key];
  // body_text is [[...]] (one row of examples); header_text is [...].
  const row = Array.isArray(raw) && Array.isArray(raw[0]) ? raw[0] : raw;
  return Array.isArray(row) ? row.map((_, i) => String(i + 1)) : [];
}

export function validateTemplate(template: CreateTemplateRequest): ParameterProblem[] {
  const problems: ParameterProblem[] = [];
  const format = template.parameter_format ?? 'positional';
  if (!/^[a-z0-9_]{1,512}$/.test(template.name)) {
    problems.push({ path: 'name', message: 'lowercase letters, digits and underscores only, at most 512' });
  }
  if (!/^[a-z]{2,3}(_[A-Z]{2})?$/.test(template.language)) {
    problems.push({ path: 'language', message: 'a locale code such as en, en_US or pt_BR' });
  }
  const components = template.components as Component[];
  const count = (type: string) => components.filter((c) => c.type === type).length;
  for (const type of ['HEADER', 'BODY', 'FOOTER', 'BUTTONS']) {
    if (count(type) > 1) problems.push({ path: 'components', message: `at most one ${type}` });
  }
  if (count('BODY') !== 1) problems.push({ path: 'components', message: 'a template needs one BODY' });

  components.forEach((component, i) => {
    const path = `components[${i}]`;
    const text = str(component.text);
    const example = obj(component.example);
    switch (component.type) {
      case 'HEADER': {
        const headerFormat = str(component.format) ?? 'TEXT';
        if (headerFormat === 'TEXT') {
          if (!text) problems.push({ path: `${path}.text`, message: 'a text header needs text' });
          else {
            if (text.length > LIMITS.header)
              problems.push({ path: `${path}.text`, message: `at most ${LIMITS.header} characters` });
            const names = checkVariables(text, 'header', format, problems);
            if (names.length > 1)
              problems.push({ path: `${path}.text`, message: 'a header holds at most one variable' });
            requireExamples(names, exampleCount(example, 'header_text', format), `${path}.example`, problems);
          }
        } else if (['IMAGE', 'VIDEO', 'DOCUMENT'].includes(headerFormat)) {
          const handle = example?.header_handle;
          if (!Array.isArray(handle) || handle.length === 0) {
            problems.push({
              path: `${path}.example.header_handle`,
              message: `a ${headerFormat} header needs a sample`,
            });
          }
        }
        break;
      }
      case 'BODY': {
        if (!text) problems.push({ path: `${path}.text`, message: 'the body needs text' });
        else {
          if (text.length > LIMITS.body)
            problems.push({ path: `${path}.text`, message: `at most ${LIMITS.body} characters` });
          const names = checkVariables(text, 'body', format, problems);
          requireExamples(names, exampleCount(example, 'body_text', format), `${path}.example`, problems);
        }
        break;
      }
      case 'FOOTER':
        if (!text) problems.push({ path: `${path}.text`, message: 'the footer needs text' });
        else if (text.length > LIMITS.footer)
          problems.push({ path: `${path}.text`, message: `at most ${LIMITS.footer} characters` });
        else if (variablesOf(text).length > 0)
          problems.push({ path: `${path}.text`, message: 'a footer holds no variables' });
        break;
      case 'BUTTONS':
        checkButtons(component, path, problems);
        break;
      default:
        problems.push({ path: `${path}.type`, message: 'HEADER, BODY, FOOTER or BUTTONS' });
    }
  });
  return problems;
}

function requireExamples(
  names: string[],
  examples: string[],
  path: string,
  problems: ParameterProblem[],
): void {
  const missing = names.filter((name) => !examples.includes(name));
  if (missing.length > 0) {
    problems.push({ path, message: `give an example for ${missing.map((n) => `{{${n}}}`).join(', ')}` });
  }
}

function checkButtons(component: Component, path: string, problems: ParameterProblem[]): void {
  const buttons = Array.isArray(component.buttons) ? (component.buttons as Component[]) : [];
  if (buttons.length === 0) problems.push({ path: `${path}.buttons`, message: 'give at least one button' });
  if (buttons.length > LIMITS.buttons)
    problems.push({ path: `${path}.buttons`, message: `at most ${LIMITS.buttons} buttons` });
  const ofType = (type: string) => buttons.filter((b) => b.type === type).length;
  if (ofType('URL') > LIMITS.urlButtons)
    problems.push({ path: `${path}.buttons`, message: 'at most 2 URL buttons' });
  if (ofType('PHONE_NUMBER') > LIMITS.phoneButtons)
    problems.push({ path: `${path}.buttons`, message: 'at most 1 phone number button' });
  buttons.forEach((button, i) => {
    const at = `${path}.buttons[${i}]`;
    const text = str(button.text);
    if (button.type !== 'COPY_CODE' && !text)
      problems.push({ path: `${at}.text`, message: 'a button needs text' });
    if (text && text.length > LIMITS.buttonText)
      problems.push({ path: `${at}.text`, message: `at most ${LIMITS.buttonText} characters` });
    if (button.type === 'URL') {
      const url = str(button.url);
      if (!url || !/^https?:\/\//.test(url)) problems.push({ path: `${at}.url`, message: 'an http(s) URL' });
      else if (variablesOf(url).length > 0) {
        if (!/\{\{1\}\}$/.test(url))
          problems.push({ path: `${at}.url`, message: 'only {{1}} at the end of the URL' });
        if (button.example === undefined)
          problems.push({ path: `${at}.example`, message: 'give an example URL' });
      }
    }
    if (button.type === 'PHONE_NUMBER' && !/^\+?[1-9]\d{6,14}$/.test(str(button.phone_number) ?? '')) {
      problems.push({ path: `${at}.phone_number`, message: 'a phone number in international format' });
    }
  });
}
