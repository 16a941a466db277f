import { GraphError, invalidParam } from '../errors.js';
import type { PricingCategory, Template } from '../state/entities.js';
import type { World } from '../state/world.js';
import { type Body, isObject } from './validate-message.js';

/**
 * Sending a template: it must exist in the WABA in that language and be APPROVED (132001, paused
 * 132015, disabled 132016), and the parameters sent must match its placeholders per component
 * (count 132000, kind 132012).
 */
export function placeholders(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  const names: string[] = [];
  for (const m of text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
    if (m[1] && !names.includes(m[1])) names.push(m[1]);
  }
  return names;
}

export function resolveTemplate(
  world: World,
  wabaId: string,
  content: Body,
): { template: Template; category: PricingCategory } {
  const name = content.name as string;
  const code = (content.language as Body).code as string;
  let found: Template | undefined;
  for (const t of world.templates.values()) {
    if (t.wabaId === wabaId && t.name === name && t.language === code && t.status !== 'DELETED') found = t;
  }
  if (!found)
    throw new GraphError({ code: 132001, details: `template name (${name}) does not exist in ${code}` });
  if (found.status === 'PAUSED')
    throw new GraphError({ code: 132015, details: `Template ${name} is paused.` });
  if (found.status === 'DISABLED')
    throw new GraphError({ code: 132016, details: `Template ${name} is disabled.` });
  if (found.status !== 'APPROVED') {
    throw new GraphError({ code: 132001, details: `template name (${name}) is not approved in ${code}` });
  }
  checkParameters(found, Array.isArray(content.components) ? content.components : []);
  return { template: found, category: found.category.toLowerCase() as PricingCategory };
}

const MEDIA_FORMATS: Record<string, string> = {
  IMAGE: 'image',
  VIDEO: 'video',
  DOCUMENT: 'document',
  LOCATION: 'location',
};
const PARAM_TYPES = new Set([
  'text',
  'currency',
  'date_time',
  'image',
  'document',
  'video',
  'location',
  'payload',
  'coupon_code',
  'action',
]);

function checkParameters(template: Template, sent: unknown[]): void {
  const byType = new Map<string, Body>();
  const buttons = new Map<number, Body>();
  sent.forEach((c, i) => {
    if (!isObject(c) || typeof c.type !== 'string')
      throw invalidParam(`Param template['components'][${i}] is invalid.`);
    const type = c.type.toLowerCase();
    if (type === 'button') buttons.set(Number(c.index ?? 0), c);
    else byType.set(type, c);
  });
  const header = template.components.find((c) => c.type === 'HEADER');
  const body = template.components.find((c) => c.type === 'BODY');
  if (header) {
    const format = String(header.format ?? 'TEXT');
    const params = paramsOf(byType.get('header'), 'header');
    if (format === 'TEXT') compare(template, 'header', placeholders(header.text), params);
    else {
      const want = MEDIA_FORMATS[format];
      if (params.length !== 1) {
        throw new GraphError({
          code: 132000,
          details: `header: number of localizable_params (${params.length}) does not match the expected number of params (1)`,
        });
      }
      if (params[0]?.type !== want) {
        throw new GraphError({
          code: 132012,
          details: `header: parameter type ${String(params[0]?.type)} does not match format ${format}`,
        });
      }
    }
  } else if (byType.has('header') && paramsOf(byType.get('header'), 'header').length > 0) {
    throw new GraphError({ code: 132000, details: 'header: the template has no header parameters' });
  }
  compare(template, 'body', placeholders(body?.text), paramsOf(byType.get('body'), 'body'));
  const templateButtons = (template.components.find((c) => c.type === 'BUTTONS')?.buttons ?? []) as Body[];
  templateButtons.forEach((b, index) => {
    const dynamic = b.type === 'URL' && placeholders(b.url).length > 0;
    const given = paramsOf(buttons.get(index), `button ${index}`);
    if (dynamic && given.length !== 1) {
      throw new GraphError({
        code: 132000,
        details: `button at index ${index}: number of localizable_params (${given.length}) does not match the expected number of params (1)`,
      });
    }
  });
  for (const index of buttons.keys()) {
    if (!templateButtons[index])
      throw new GraphError({
        code: 132000,
        details: `button at index ${index} does not exist in the template`,
      });
  }
}

function paramsOf(component: Body | undefined, where: string): Body[] {
  if (!component || component.parameters === undefined) return [];
  if (!Array.isArray(component.parameters))
    throw invalidParam(`Param ${where}['parameters'] must be an array.`);
  return component.parameters.map((p, i) => {
    if (!isObject(p) || typeof p.type !== 'string' || !PARAM_TYPES.has(p.type)) {
      throw invalidParam(`Param ${where}['parameters'][${i}]['type'] is invalid.`);
    }
    if (
      p.type !== 'payload' &&
      p.type !== 'action' &&
      !isObject(p[p.type]) &&
      typeof p[p.type] !== 'string'
    ) {
      throw new GraphError({
        code: 131008,
        details: `The parameter ${where}['parameters'][${i}]['${p.type}'] is required.`,
      });
    }
    return p;
  });
}

function compare(template: Template, where: string, names: string[], params: Body[]): void {
  if (names.length !== params.length) {
    throw new GraphError({
      code: 132000,
      details: `${where}: number of localizable_params (${params.length}) does not match the expected number of params (${names.length})`,
    });
  }
  for (const p of params) {
    if (p.type === 'text' || p.type === 'currency' || p.type === 'date_time') continue;
    throw new GraphError({
      code: 132012,
      details: `${where}: parameter type ${String(p.type)} is not allowed in text`,
    });
  }
  if (template.parameterFormat === 'NAMED') {
    for (const p of params) {
      if (typeof p.parameter_name !== 'string' || !names.includes(p.parameter_name)) {
        throw new GraphError({
          code: 132000,
          details: `${where}: parameter_name ${String(p.parameter_name)} is not one of {${names.join(', ')}}`,
        });
      }
    }
  }
}
