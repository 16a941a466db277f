import { badValue, type GraphError, invalidParam, missingParam } from '../errors.js';

/**
 * Meta's checks on `POST /{phone-number-id}/messages` bodies, per type, with the codes Meta uses:
 * 100 for a parameter of the wrong type or length, 131008 for a missing one, 131009 for a value that
 * breaks a rule (counts, uniqueness). Hand-written rather than a schema library so messages name the
 * parameter the way Graph does (`text['body']`) and the hot path stays cheap.
 */
export type Body = Record<string, unknown>;

export const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
const INTERACTIVE_TYPES = new Set([
  'button',
  'list',
  'cta_url',
  'flow',
  'product',
  'product_list',
  'catalog_message',
  'location_request_message',
  'call_permission_request',
  'address_message',
]);
const TYPES = new Set<string>([
  ...MEDIA_TYPES,
  'text',
  'template',
  'interactive',
  'reaction',
  'location',
  'contacts',
]);

export function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Length in characters (code points), which is how Meta counts limits. */
export function chars(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

function object(parent: Body, key: string, path: string): Body {
  const v = parent[key];
  if (v === undefined || v === null) throw missingParam(`The parameter ${path} is required.`);
  if (!isObject(v)) throw invalidParam(`Param ${path} must be a JSON object.`);
  return v;
}

function optionalObject(parent: Body, key: string, path: string): Body | undefined {
  return parent[key] === undefined ? undefined : object(parent, key, path);
}

export function string(
  parent: Body,
  key: string,
  path: string,
  max?: number,
  required = true,
): string | undefined {
  const v = parent[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw missingParam(`The parameter ${path} is required.`);
    return undefined;
  }
  if (typeof v !== 'string') throw invalidParam(`Param ${path} must be a string.`);
  if (max !== undefined && v.length > max && chars(v) > max) {
    throw invalidParam(`Param ${path} must be at most ${max} characters long.`);
  }
  return v;
}

function array(parent: Body, key: string, path: string): unknown[] {
  const v = parent[key];
  if (v === undefined || v === null) throw missingParam(`The parameter ${path} is required.`);
  if (!Array.isArray(v)) throw invalidParam(`Param ${path} must be an array.`);
  return v;
}

export interface CommonFields {
  to?: string;
  recipient?: string;
  type: string;
  content: Body;
  contextId?: string;
  bizOpaque?: string;
}

/** Checks the envelope and the type-specific object; returns the pieces the send path needs. */
export function validateMessage(body: Body): CommonFields {
  if (body.messaging_product !== 'whatsapp') {
    throw invalidParam('The parameter messaging_product is required and must be whatsapp.');
  }
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual') {
    throw invalidParam(
      "Param recipient_type must be one of {INDIVIDUAL} - got '" + String(body.recipient_type) + "'.",
    );
  }
  const to = string(body, 'to', 'to', 64, false);
  const recipient = string(body, 'recipient', 'recipient', 128, false);
  if (!to && !recipient) throw missingParam('The parameter to is required.');
  const type = body.type === undefined ? 'text' : body.type;
  if (typeof type !== 'string' || !TYPES.has(type)) {
    throw invalidParam(`Param type must be one of {${[...TYPES].join(', ')}} - got '${String(type)}'.`);
  }
  let contextId: string | undefined;
  const context = optionalObject(body, 'context', 'context');
  if (context) contextId = string(context, 'message_id', "context['message_id']");
  const bizOpaque = string(body, 'biz_opaque_callback_data', 'biz_opaque_callback_data', 512, false);
  if (type === 'contacts') {
    // The one type whose object is an array.
    return { to, recipient, type, content: { contacts: validateContacts(body) }, contextId, bizOpaque };
  }
  const content = object(body, type, type);
  switch (type) {
    case 'text':
      string(content, 'body', "text['body']", 4096);
      if (content.preview_url !== undefined && typeof content.preview_url !== 'boolean') {
        throw invalidParam("Param text['preview_url'] must be a boolean.");
      }
      break;
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      validateMedia(type, content);
      break;
    case 'location':
      for (const k of ['latitude', 'longitude']) {
        const v = content[k];
        if (v === undefined) throw missingParam(`The parameter location['${k}'] is required.`);
        if (typeof v !== 'number' && !(typeof v === 'string' && Number.isFinite(Number(v)))) {
          throw invalidParam(`Param location['${k}'] must be a number.`);
        }
      }
      string(content, 'name', "location['name']", 1000, false);
      string(content, 'address', "location['address']", 1000, false);
      break;
    case 'reaction':
      string(content, 'message_id', "reaction['message_id']");
      if (typeof content.emoji !== 'string')
        throw missingParam("The parameter reaction['emoji'] is required.");
      if (content.emoji.length > 16) throw badValue("Param reaction['emoji'] must be a single emoji.");
      break;
    case 'interactive':
      validateInteractive(content);
      break;
    case 'template':
      string(content, 'name', "template['name']", 512);
      string(object(content, 'language', "template['language']"), 'code', "template['language']['code']");
      if (content.components !== undefined && !Array.isArray(content.components)) {
        throw invalidParam("Param template['components'] must be an array.");
      }
      break;
  }
  return { to, recipient, type, content, contextId, bizOpaque };
}

function validateContacts(body: Body): unknown[] {
  const list = array(body, 'contacts', 'contacts');
  if (list.length === 0) throw missingParam('The parameter contacts is required.');
  list.forEach((c, i) => {
    if (!isObject(c)) throw invalidParam(`Param contacts[${i}] must be a JSON object.`);
    string(
      object(c, 'name', `contacts[${i}]['name']`),
      'formatted_name',
      `contacts[${i}]['name']['formatted_name']`,
    );
  });
  return list;
}

function validateMedia(type: string, content: Body): void {
  const id = string(content, 'id', `${type}['id']`, 256, false);
  const link = string(content, 'link', `${type}['link']`, 2048, false);
  if (!id && !link) throw missingParam(`The parameter ${type}['id'] or ${type}['link'] is required.`);
  if (id && link) throw badValue(`Only one of ${type}['id'] and ${type}['link'] may be given.`);
  if (link && !/^https?:\/\/[^\s]+$/i.test(link))
    throw badValue(`Param ${type}['link'] must be a valid http(s) URL.`);
  if (content.caption !== undefined) {
    if (type === 'audio' || type === 'sticker')
      throw invalidParam(`Param ${type}['caption'] is not allowed for ${type}.`);
    string(content, 'caption', `${type}['caption']`, 1024, false);
  }
  if (content.filename !== undefined) {
    if (type !== 'document') throw invalidParam(`Param ${type}['filename'] is only allowed for document.`);
    string(content, 'filename', "document['filename']", 240, false);
  }
}

function validateInteractive(content: Body): void {
  const kind = content.type;
  if (typeof kind !== 'string') throw missingParam("The parameter interactive['type'] is required.");
  if (!INTERACTIVE_TYPES.has(kind)) {
    throw invalidParam(`Param interactive['type'] must be one of {${[...INTERACTIVE_TYPES].join(', ')}}.`);
  }
  const needsBody = kind === 'button' || kind === 'list' || kind === 'cta_url' || kind === 'flow';
  const body = needsBody
    ? object(content, 'body', "interactive['body']")
    : optionalObject(content, 'body', "interactive['body']");
  if (body) string(body, 'text', "interactive['body']['text']", 1024, needsBody);
  const footer = optionalObject(content, 'footer', "interactive['footer']");
  if (footer) string(footer, 'text', "interactive['footer']['text']", 60);
  const header = optionalObject(content, 'header', "interactive['header']");
  if (header) {
    const htype = string(header, 'type', "interactive['header']['type']");
    if (htype === 'text') string(header, 'text', "interactive['header']['text']", 60);
    else if (htype === 'image' || htype === 'video' || htype === 'document') {
      validateMedia(htype, object(header, htype, `interactive['header']['${htype}']`));
    } else
      throw invalidParam(
        "Param interactive['header']['type'] must be one of {text, image, video, document}.",
      );
    if (kind === 'list' && htype !== 'text') throw badValue('A list message header must be of type text.');
  }
  const action = object(content, 'action', "interactive['action']");
  if (kind === 'button') validateButtons(action);
  else if (kind === 'list') validateList(action);
  else if (kind === 'cta_url') {
    const params = object(action, 'parameters', "interactive['action']['parameters']");
    string(params, 'display_text', "interactive['action']['parameters']['display_text']", 20);
    const url = string(params, 'url', "interactive['action']['parameters']['url']", 2000);
    if (url && !/^https?:\/\//i.test(url)) throw badValue('The cta_url url must be an http(s) URL.');
  }
}

function validateButtons(action: Body): void {
  const buttons = array(action, 'buttons', "interactive['action']['buttons']");
  if (buttons.length < 1 || buttons.length > 3) {
    throw badValue("Param interactive['action']['buttons'] must have between 1 and 3 items.");
  }
  const ids = new Set<string>();
  const titles = new Set<string>();
  buttons.forEach((b, i) => {
    const p = `interactive['action']['buttons'][${i}]`;
    if (!isObject(b)) throw invalidParam(`Param ${p} must be a JSON object.`);
    if (b.type !== 'reply') throw invalidParam(`Param ${p}['type'] must be reply.`);
    const reply = object(b, 'reply', `${p}['reply']`);
    const id = string(reply, 'id', `${p}['reply']['id']`, 256) as string;
    const title = string(reply, 'title', `${p}['reply']['title']`, 20) as string;
    if (ids.has(id)) throw badValue('Button ids must be unique.');
    if (titles.has(title)) throw badValue('Button titles must be unique.');
    ids.add(id);
    titles.add(title);
  });
}

function validateList(action: Body): void {
  string(action, 'button', "interactive['action']['button']", 20);
  const sections = array(action, 'sections', "interactive['action']['sections']");
  if (sections.length < 1 || sections.length > 10) {
    throw badValue("Param interactive['action']['sections'] must have between 1 and 10 items.");
  }
  let rows = 0;
  const ids = new Set<string>();
  sections.forEach((s, i) => {
    const p = `interactive['action']['sections'][${i}]`;
    if (!isObject(s)) throw invalidParam(`Param ${p} must be a JSON object.`);
    string(s, 'title', `${p}['title']`, 24, sections.length > 1);
    const list = array(s, 'rows', `${p}['rows']`);
    if (list.length === 0) throw badValue(`Param ${p}['rows'] must not be empty.`);
    list.forEach((r, j) => {
      const rp = `${p}['rows'][${j}]`;
      if (!isObject(r)) throw invalidParam(`Param ${rp} must be a JSON object.`);
      const id = string(r, 'id', `${rp}['id']`, 200) as string;
      string(r, 'title', `${rp}['title']`, 24);
      string(r, 'description', `${rp}['description']`, 72, false);
      if (ids.has(id)) throw badValue('Row ids must be unique across sections.');
      ids.add(id);
      rows += 1;
    });
  });
  if (rows > 10) throw badValue('A list message may hold at most 10 rows in total.');
}

/** Meta's answer to a body that is not valid JSON. */
export const unparsable = (): GraphError => invalidParam('The request body could not be parsed as JSON.');
