import type { TemplateRow } from '../templates/templates.tables.js';
import type { SimReceived, SimSent } from './simulator.client.js';

/**
 * Turns what the simulator's virtual phone holds into chat bubbles: the text a person would see for
 * every message type, templates filled in from their definition, and the buttons they can tap.
 */

export interface PhoneButton {
  /** Reply id for interactive reply buttons, null for buttons that only show (URL, call). */
  id: string | null;
  title: string;
  kind: 'reply' | 'quick_reply' | 'url' | 'call' | 'list' | 'other';
}

export interface PhoneMessage {
  id: string;
  direction: 'to_customer' | 'from_customer';
  type: string;
  at: string;
  /** To the customer: accepted, sent, delivered, read or failed. From the customer: sent or read (by the business). */
  status: string;
  header: string | null;
  text: string;
  footer: string | null;
  buttons: PhoneButton[];
}

type Json = Record<string, unknown>;
const obj = (value: unknown): Json =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(obj) : []);
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

const MEDIA_LABELS: Record<string, string> = {
  image: '📷 Photo',
  video: '🎥 Video',
  audio: '🎤 Audio',
  document: '📄 Document',
  sticker: 'Sticker',
};

const TEMPLATE_BUTTON_KINDS: Record<string, PhoneButton['kind']> = {
  QUICK_REPLY: 'quick_reply',
  URL: 'url',
  PHONE_NUMBER: 'call',
};

/** Template definitions the phone may need, looked up by name and language. */
export type TemplateLookup = (name: string, language: string) => TemplateRow | undefined;

export function toCustomerBubble(message: SimReceived, templates: TemplateLookup): PhoneMessage {
  const content = obj(message[message.type]);
  const base = {
    id: message.id,
    direction: 'to_customer' as const,
    type: message.type,
    at: message.received_at,
    status: message.status,
    header: null,
    footer: null,
    buttons: [],
  };
  switch (message.type) {
    case 'text':
      return { ...base, text: str(content.body) ?? '' };
    case 'template':
      return { ...base, ...renderTemplate(content, templates) };
    case 'interactive':
      return { ...base, ...renderInteractive(content) };
    case 'location':
      return { ...base, text: locationText(content) };
    case 'reaction':
      return { ...base, text: `Reacted ${str(content.emoji) ?? ''}`.trim() };
    case 'contacts':
      return { ...base, text: `👤 ${contactNames(content)}` };
    default:
      return { ...base, text: mediaText(message.type, content) };
  }
}

export function fromCustomerBubble(message: SimSent): PhoneMessage {
  const content = obj(message[message.type]);
  let text: string;
  switch (message.type) {
    case 'text':
      text = str(content.body) ?? '';
      break;
    case 'button':
      text = str(content.text) ?? '';
      break;
    case 'interactive':
      text = str(obj(content.button_reply).title) ?? str(obj(content.list_reply).title) ?? 'Reply';
      break;
    case 'location':
      text = locationText(content);
      break;
    case 'reaction':
      text = `Reacted ${str(content.emoji) ?? ''}`.trim();
      break;
    default:
      text = mediaText(message.type, content);
  }
  return {
    id: message.id,
    direction: 'from_customer',
    type: message.type,
    at: message.sent_at,
    status: message.read_by_business ? 'read' : 'sent',
    header: null,
    text,
    footer: null,
    buttons: [],
  };
}

function mediaText(type: string, content: Json): string {
  const label = MEDIA_LABELS[type] ?? `[${type}]`;
  const detail = str(content.caption) ?? str(content.filename);
  return detail ? `${label}: ${detail}` : label;
}

function locationText(content: Json): string {
  const place = [str(content.name), str(content.address)].filter(Boolean).join(', ');
  return `📍 ${place || `${String(content.latitude ?? '')}, ${String(content.longitude ?? '')}`}`;
}

function contactNames(content: Json): string {
  const contacts = Array.isArray(content.contacts) ? list(content.contacts) : [content];
  return contacts.map((c) => str(obj(c.name).formatted_name) ?? 'Contact').join(', ');
}

function renderInteractive(content: Json) {
  const header = obj(content.header);
  const action = obj(content.action);
  const buttons: PhoneButton[] = [];
  for (const button of list(action.buttons)) {
    const reply = obj(button.reply);
    buttons.push({ id: str(reply.id), title: str(reply.title) ?? 'Reply', kind: 'reply' });
  }
  if (str(action.button)) buttons.push({ id: null, title: str(action.button) ?? '', kind: 'list' });
  const cta = obj(action.parameters);
  if (str(cta.display_text)) buttons.push({ id: null, title: str(cta.display_text) ?? '', kind: 'url' });
  return {
    header: str(header.text) ?? (str(header.type) ? (MEDIA_LABELS[String(header.type)] ?? null) : null),
    text: str(obj(content.body).text) ?? '',
    footer: str(obj(content.footer).text),
    buttons,
  };
}

/** Fills a sent template's parameters into its definition ({{1}} or {{name}}), as the phone shows it. */
function renderTemplate(content: Json, templates: TemplateLookup) {
  const name = str(content.name) ?? 'template';
  const language = str(obj(content.language).code) ?? '';
  const definition = templates(name, language);
  if (!definition) return { header: null, text: `Template “${name}”`, footer: null, buttons: [] };
  const sent = list(content.components);
  const paramsOf = (type: string) => list(sent.find((c) => c.type === type)?.parameters);
  const fill = (text: string, params: Json[]) =>
    text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, key: string) => {
      const param = /^\d+$/.test(key)
        ? params[Number(key) - 1]
        : params.find((p) => p.parameter_name === key);
      return param ? (str(param.text) ?? str(obj(param.currency).fallback_value) ?? whole) : whole;
    });
  const part = (type: string) => definition.components.find((c) => c.type === type);
  const header = part('HEADER');
  const headerFormat = str(header?.format) ?? 'TEXT';
  const headerText = header
    ? headerFormat === 'TEXT'
      ? fill(str(header.text) ?? '', paramsOf('header'))
      : (MEDIA_LABELS[headerFormat.toLowerCase()] ?? null)
    : null;
  const buttons: PhoneButton[] = list(part('BUTTONS')?.buttons).map((button) => ({
    id: button.type === 'QUICK_REPLY' ? (str(button.text) ?? null) : null,
    title: str(button.text) ?? 'Button',
    kind: TEMPLATE_BUTTON_KINDS[String(button.type)] ?? 'other',
  }));
  return {
    header: headerText,
    text: fill(str(part('BODY')?.text) ?? '', paramsOf('body')),
    footer: str(part('FOOTER')?.text),
    buttons,
  };
}
