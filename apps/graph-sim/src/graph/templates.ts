import type { FastifyInstance } from 'fastify';
import { GraphError, invalidParam } from '../errors.js';
import type { GraphSimulator } from '../sim.js';
import type { Template, TemplateStatus } from '../state/entities.js';
import { nodeId } from '../state/ids.js';
import { cursor, fieldsOf, pick, uncursor } from './accounts.js';
import { authenticate, requireWaba } from './auth.js';
import { placeholders } from './template-send.js';
import { chars, isObject } from './validate-message.js';

/**
 * Message templates: created PENDING, reviewed after a configurable delay (APPROVED or REJECTED, with
 * a `message_template_status_update` webhook), listed with status filter and cursor paging, deleted by name.
 */
const CATEGORIES = new Set(['MARKETING', 'UTILITY', 'AUTHENTICATION']);
const BUTTON_TYPES = new Set([
  'QUICK_REPLY',
  'URL',
  'PHONE_NUMBER',
  'COPY_CODE',
  'OTP',
  'FLOW',
  'CATALOG',
  'MPM',
  'VOICE_CALL',
]);

export function registerTemplateRoutes(app: FastifyInstance, sim: GraphSimulator): void {
  app.post<{ Params: { id: string } }>('/:id/message_templates', async (req) => {
    const token = authenticate(sim, req);
    const waba = requireWaba(sim, token, req.params.id, 'POST');
    const body = isObject(req.body) ? req.body : {};
    const input = validateTemplate(body);
    for (const t of sim.world.templates.values()) {
      if (
        t.wabaId === waba.id &&
        t.name === input.name &&
        t.language === input.language &&
        t.status !== 'DELETED'
      ) {
        throw new GraphError({
          code: 100,
          subcode: 2388024,
          details: `Content in ${input.language} already exists for template ${input.name}.`,
          userTitle: 'Content in This Language Already Exists',
          userMsg:
            'There is already English (US) content for this template. You can create a new template and try again.',
        });
      }
    }
    const template: Template = {
      id: nodeId(),
      wabaId: waba.id,
      ...input,
      status: 'PENDING',
      rejectedReason: 'NONE',
      createdAt: sim.clock.now(),
    };
    sim.world.templates.set(template.id, template);
    sim.clock.schedule(sim.config.templates.reviewDelayMs, () => {
      if (template.status !== 'PENDING' || !sim.world.templates.has(template.id)) return;
      const forced = template.forcedOutcome;
      const status = forced?.status ?? sim.config.templates.defaultOutcome;
      setTemplateStatus(
        sim,
        template,
        status,
        forced?.reason ?? (status === 'REJECTED' ? sim.config.templates.rejectionReason : 'NONE'),
      );
    });
    return { id: template.id, status: template.status, category: template.category };
  });

  app.get<{ Params: { id: string } }>('/:id/message_templates', async (req) => {
    const token = authenticate(sim, req);
    const waba = requireWaba(sim, token, req.params.id, 'GET');
    const q = req.query as Record<string, string | undefined>;
    const statuses = q.status?.split(',').map((s) => s.trim().toUpperCase());
    const limit = Math.min(Math.max(Number(q.limit ?? 25) || 25, 1), 1000);
    const all = [...sim.world.templates.values()]
      .filter((t) => t.wabaId === waba.id && t.status !== 'DELETED')
      .filter((t) => !statuses || statuses.includes(t.status))
      .filter((t) => !q.name || t.name.includes(q.name))
      .filter((t) => !q.language || t.language === q.language)
      .filter((t) => !q.category || t.category === q.category.toUpperCase())
      .reverse();
    let start = 0;
    let end = all.length;
    if (q.after) start = all.findIndex((t) => t.id === uncursor(q.after as string)) + 1;
    if (q.before) {
      end = Math.max(
        0,
        all.findIndex((t) => t.id === uncursor(q.before as string)),
      );
      start = Math.max(0, end - limit);
    }
    const page = all.slice(start, Math.min(end, start + limit));
    const fields = fieldsOf(q);
    const paging: Record<string, unknown> = {
      cursors: { before: cursor(page[0]?.id ?? ''), after: cursor(page[page.length - 1]?.id ?? '') },
    };
    // Meta's paging URLs carry the version (`https://graph.facebook.com/v23.0/{waba}/message_templates?…`).
    const path = req.originalUrl.split('?')[0] ?? '';
    const versioned = /^\/v\d+\.\d+\//.test(path) ? path : `/v23.0${req.url.split('?')[0]}`;
    const base = `${req.protocol}://${req.host}${versioned}`;
    const link = (key: 'after' | 'before', id: string): string => {
      const params = new URLSearchParams({ ...(q as Record<string, string>), limit: String(limit) });
      params.delete('access_token');
      params.delete('after');
      params.delete('before');
      params.set(key, cursor(id));
      return `${base}?${params}`;
    };
    if (start + page.length < all.length && page.length > 0)
      paging.next = link('after', page[page.length - 1]!.id);
    if (start > 0 && page.length > 0) paging.previous = link('before', page[0]!.id);
    return { data: page.map((t) => pick(templateJson(t), fields)), paging };
  });

  app.delete<{ Params: { id: string } }>('/:id/message_templates', async (req) => {
    const token = authenticate(sim, req);
    const waba = requireWaba(sim, token, req.params.id, 'DELETE');
    const q = req.query as Record<string, string | undefined>;
    if (!q.name) throw invalidParam('The parameter name is required.');
    const matches = [...sim.world.templates.values()].filter(
      (t) =>
        t.wabaId === waba.id &&
        t.name === q.name &&
        (!q.hsm_id || t.id === q.hsm_id) &&
        t.status !== 'DELETED',
    );
    if (matches.length === 0) {
      throw new GraphError({
        code: 100,
        subcode: 2593002,
        details: `Message template ${q.name} was not found.`,
      });
    }
    for (const t of matches) sim.world.templates.delete(t.id);
    return { success: true };
  });
}

export function templateJson(t: Template): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: t.name,
    parameter_format: t.parameterFormat,
    components: t.components,
    language: t.language,
    status: t.status,
    category: t.category,
    id: t.id,
  };
  if (t.status === 'REJECTED') out.rejected_reason = t.rejectedReason;
  return out;
}

/** Changes a template's status and tells subscribed apps, as Meta's review (or a pause) does. */
export function setTemplateStatus(
  sim: GraphSimulator,
  t: Template,
  status: TemplateStatus,
  reason = 'NONE',
): void {
  t.status = status;
  t.rejectedReason = status === 'REJECTED' ? reason : 'NONE';
  const now = sim.clock.now();
  sim.emit({
    wabaId: t.wabaId,
    field: 'message_template_status_update',
    time: Math.floor(now / 1000),
    item: {
      event: status,
      message_template_id: Number(t.id),
      message_template_name: t.name,
      message_template_language: t.language,
      reason: reason,
      message_template_category: t.category,
    },
  });
}

type TemplateInput = Pick<Template, 'name' | 'language' | 'category' | 'parameterFormat' | 'components'>;

function validateTemplate(body: Record<string, unknown>): TemplateInput {
  const name = body.name;
  if (typeof name !== 'string' || name === '') throw invalidParam('The parameter name is required.');
  if (!/^[a-z0-9_]{1,512}$/.test(name)) {
    throw invalidParam(
      'Param name may only contain lowercase letters, digits and underscores (at most 512).',
    );
  }
  if (typeof body.language !== 'string' || !/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/.test(body.language)) {
    throw invalidParam('Param language must be a language code such as en_US.');
  }
  const category = typeof body.category === 'string' ? body.category.toUpperCase() : '';
  if (!CATEGORIES.has(category))
    throw invalidParam('Param category must be one of {MARKETING, UTILITY, AUTHENTICATION}.');
  const format =
    typeof body.parameter_format === 'string' ? body.parameter_format.toUpperCase() : 'POSITIONAL';
  if (format !== 'POSITIONAL' && format !== 'NAMED')
    throw invalidParam('Param parameter_format must be positional or named.');
  if (!Array.isArray(body.components) || body.components.length === 0) {
    throw invalidParam('The parameter components is required.');
  }
  const components = body.components.map((c, i) => {
    if (!isObject(c) || typeof c.type !== 'string')
      throw invalidParam(`Param components[${i}]['type'] is required.`);
    return { ...c, type: c.type.toUpperCase() };
  });
  const seen = new Set<string>();
  for (const c of components) {
    if (seen.has(c.type)) throw invalidParam(`Only one ${c.type} component is allowed.`);
    seen.add(c.type);
    checkComponent(c, format as 'POSITIONAL' | 'NAMED', category);
  }
  if (!seen.has('BODY') && category !== 'AUTHENTICATION')
    throw invalidParam('A template needs a BODY component.');
  return {
    name,
    language: body.language,
    category: category as Template['category'],
    parameterFormat: format as Template['parameterFormat'],
    components: category === 'AUTHENTICATION' ? components.map(presetAuthentication) : components,
  };
}

/**
 * Authentication templates are created without text: Meta fills in its preset body (one variable, the
 * code), footer and button. An OTP button becomes a URL button taking the code as its one parameter,
 * which is how Meta stores it and how the documented send supplies it.
 */
function presetAuthentication(c: Record<string, unknown>): Record<string, unknown> {
  if (c.type === 'BODY' && c.text === undefined) {
    const security =
      c.add_security_recommendation === true ? ' For your security, do not share this code.' : '';
    return { ...c, text: `{{1}} is your verification code.${security}` };
  }
  if (c.type === 'FOOTER' && c.text === undefined && typeof c.code_expiration_minutes === 'number') {
    return { ...c, text: `This code expires in ${c.code_expiration_minutes} minutes.` };
  }
  if (c.type === 'BUTTONS' && Array.isArray(c.buttons)) {
    const buttons = c.buttons.map((b) => {
      if (!isObject(b) || String(b.type).toUpperCase() !== 'OTP') return b;
      const otpType = typeof b.otp_type === 'string' ? b.otp_type.toUpperCase() : 'COPY_CODE';
      return {
        type: 'URL',
        text: typeof b.text === 'string' ? b.text : otpType === 'COPY_CODE' ? 'Copy code' : 'Autofill',
        url: `https://www.whatsapp.com/otp/code/?otp_type=${otpType}&code=otp{{1}}`,
      };
    });
    return { ...c, buttons };
  }
  return c;
}

function checkComponent(c: Record<string, unknown>, format: 'POSITIONAL' | 'NAMED', category: string): void {
  const text = (max: number, where: string): void => {
    if (typeof c.text !== 'string' || c.text === '') throw invalidParam(`Param ${where} text is required.`);
    if (chars(c.text) > max)
      throw invalidParam(`Param ${where} text must be at most ${max} characters long.`);
    checkVariables(c, c.text, format, where);
  };
  switch (c.type) {
    case 'HEADER': {
      const f = typeof c.format === 'string' ? c.format.toUpperCase() : '';
      if (!['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'].includes(f)) {
        throw invalidParam('Param HEADER format must be one of {TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION}.');
      }
      c.format = f;
      if (f === 'TEXT') {
        text(60, 'HEADER');
        if (placeholders(c.text).length > 1) throw invalidParam('A HEADER may hold at most one variable.');
      }
      break;
    }
    case 'BODY':
      if (category === 'AUTHENTICATION' && c.text === undefined) break;
      text(1024, 'BODY');
      break;
    case 'FOOTER':
      if (category === 'AUTHENTICATION' && c.text === undefined) break;
      text(60, 'FOOTER');
      if (placeholders(c.text).length > 0) throw invalidParam('A FOOTER may not hold variables.');
      break;
    case 'BUTTONS': {
      if (!Array.isArray(c.buttons) || c.buttons.length === 0)
        throw invalidParam('Param BUTTONS buttons is required.');
      if (c.buttons.length > 10) throw invalidParam('A template may have at most 10 buttons.');
      c.buttons.forEach((b, i) => {
        if (!isObject(b) || typeof b.type !== 'string' || !BUTTON_TYPES.has(b.type.toUpperCase())) {
          throw invalidParam(`Param buttons[${i}]['type'] is invalid.`);
        }
        const needsText = !['OTP', 'CATALOG', 'MPM'].includes(b.type.toUpperCase());
        if (needsText && (typeof b.text !== 'string' || b.text === ''))
          throw invalidParam(`Param buttons[${i}]['text'] is required.`);
        if (typeof b.text === 'string' && chars(b.text) > 25)
          throw invalidParam(`Param buttons[${i}]['text'] must be at most 25 characters long.`);
        if (b.type.toUpperCase() === 'URL' && typeof b.url !== 'string')
          throw invalidParam(`Param buttons[${i}]['url'] is required.`);
        if (b.type.toUpperCase() === 'PHONE_NUMBER' && typeof b.phone_number !== 'string') {
          throw invalidParam(`Param buttons[${i}]['phone_number'] is required.`);
        }
      });
      break;
    }
    default:
      throw invalidParam(`Param components type ${String(c.type)} is invalid.`);
  }
}

/** Positional variables must run {{1}}..{{n}}; both kinds need an example, as Meta's review asks. */
function checkVariables(
  c: Record<string, unknown>,
  text: string,
  format: 'POSITIONAL' | 'NAMED',
  where: string,
): void {
  const names = placeholders(text);
  if (names.length === 0) return;
  if (format === 'POSITIONAL') {
    const sorted = names.map(Number).sort((a, b) => a - b);
    if (sorted.some((n, i) => n !== i + 1)) {
      throw invalidParam(`Variables in ${where} must be sequential positional parameters {{1}}, {{2}}, ...`);
    }
  } else if (names.some((n) => !/^[a-z_][a-z0-9_]*$/.test(n))) {
    throw invalidParam(`Named variables in ${where} must be lowercase letters, digits and underscores.`);
  }
  if (!isObject(c.example)) throw invalidParam(`Variables in ${where} need an example.`);
}
