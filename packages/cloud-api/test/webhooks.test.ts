import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseWebhookPayload,
  safeParseWebhookPayload,
  type WebhookItem,
  WebhookPayloadError,
  webhookPayloadSchema,
} from '../src/index.js';
import { loadFixture } from './load-fixture.js';

function only<K extends WebhookItem['kind']>(
  items: WebhookItem[],
  kind: K,
): Extract<WebhookItem, { kind: K }>[] {
  return items.filter((item): item is Extract<WebhookItem, { kind: K }> => item.kind === kind);
}

test('a text message yields one message item routed by phone_number_id with its contact', () => {
  const items = parseWebhookPayload(loadFixture('messages-text.json'));
  assert.equal(items.length, 1);
  const [item] = items;
  assert.ok(item && item.kind === 'message');
  assert.equal(item.wabaId, '102290129340398');
  assert.equal(item.phoneNumberId, '106540352242922');
  assert.equal(item.displayPhoneNumber, '15550783881');
  assert.equal(item.contact?.profile?.name, 'Sheena Nelson');
  assert.equal(item.message.type, 'text');
  assert.equal(item.message.type === 'text' && item.message.text.body, 'Does it come in another color?');
  assert.equal(item.message.timestamp, '1749416383');
});

test('every documented inbound message type parses as a known message', () => {
  const items = parseWebhookPayload(loadFixture('messages-every-type.json'));
  const messages = only(items, 'message').map((item) => item.message);
  assert.equal(only(items, 'unknown_message').length, 0);
  assert.deepEqual(
    messages.map((m) => m.type),
    [
      'text',
      'image',
      'video',
      'audio',
      'document',
      'sticker',
      'location',
      'contacts',
      'interactive',
      'interactive',
      'button',
      'reaction',
      'order',
      'system',
      'unsupported',
      'text',
    ],
  );
  for (const m of messages) {
    switch (m.type) {
      case 'text':
        assert.ok(m.text.body.length > 0);
        break;
      case 'audio':
        assert.equal(m.audio.voice, true);
        assert.equal(m.audio.mime_type, 'audio/ogg; codecs=opus');
        break;
      case 'document':
        assert.equal(m.document.filename, 'invoice-0042.pdf');
        break;
      case 'location':
        assert.equal(m.location.latitude, 37.483307);
        break;
      case 'contacts':
        assert.equal(m.contacts[0]?.name.formatted_name, 'Barbara J. Johnson');
        break;
      case 'interactive':
        assert.ok(
          m.interactive.button_reply?.id === 'change-button' ||
            m.interactive.list_reply?.id === 'priority_express',
        );
        assert.ok(m.context?.id?.startsWith('wamid.'));
        break;
      case 'button':
        assert.equal(m.button.payload, 'STOP_PROMOS');
        break;
      case 'reaction':
        assert.equal(m.reaction.emoji, '\u2764\ufe0f');
        break;
      case 'order':
        assert.equal(m.order.product_items.length, 2);
        assert.equal(m.order.product_items[0]?.quantity, 2);
        break;
      case 'system':
        assert.equal(m.system.type, 'user_changed_number');
        break;
      case 'unsupported':
        assert.equal(m.errors?.[0]?.code, 131051);
        break;
    }
  }
  const referral = messages[0]?.referral;
  assert.equal(referral?.ctwa_clid, 'Aff-n8ZTODiE79d22KtAwQKj9e_mIEOOj27vDVwFjN80dp4_0N');
  assert.equal(referral?.source_type, 'ad');
  assert.equal(messages.at(-1)?.context?.forwarded, true);
});

test('statuses keep pricing (PMP and CBP), conversation, callback data and errors', () => {
  const statuses = only(parseWebhookPayload(loadFixture('statuses-pricing-errors.json')), 'status').map(
    (item) => item.status,
  );
  assert.deepEqual(
    statuses.map((s) => s.status),
    ['sent', 'delivered', 'delivered', 'read', 'failed', 'failed', 'played'],
  );
  const [sent, delivered, free, entryPoint, outsideWindow, stopped] = statuses;
  assert.equal(sent?.pricing?.pricing_model, 'CBP');
  assert.equal(sent?.conversation?.origin?.type, 'marketing');
  assert.equal(sent?.conversation?.expiration_timestamp, '1750943820');
  assert.equal(delivered?.pricing?.pricing_model, 'PMP');
  assert.equal(delivered?.pricing?.type, 'regular');
  assert.equal(delivered?.biz_opaque_callback_data, 'campaign=summer;recipient=42');
  assert.equal(free?.pricing?.type, 'free_customer_service');
  assert.equal(entryPoint?.pricing?.type, 'free_entry_point');
  assert.equal(outsideWindow?.errors?.[0]?.code, 131047);
  assert.match(outsideWindow?.errors?.[0]?.error_data?.details ?? '', /24 hours/);
  assert.equal(stopped?.errors?.[0]?.code, 131050);
});

test('a batch yields every entry, change, message, status and error in order', () => {
  const items = parseWebhookPayload(loadFixture('batch-multi-entry.json'));
  assert.deepEqual(
    items.map((i) => `${i.entryIndex}.${i.changeIndex}:${i.kind}`),
    [
      '0.0:message',
      '0.0:message',
      '0.1:status',
      '0.1:status',
      '1.0:message',
      '1.0:message',
      '1.0:status',
      '1.0:error',
      '1.1:template_status',
    ],
  );
  const second = only(items, 'message').filter((i) => i.wabaId === '102290129340777');
  assert.deepEqual(
    second.map((i) => [i.phoneNumberId, i.message.from, i.contact?.profile?.name]),
    [
      ['106540352242999', '5511999990000', 'Ana'],
      ['106540352242999', '447700900123', 'Ben'],
    ],
  );
  const template = only(items, 'template_status')[0];
  assert.equal(template?.update.message_template_id, '1689556908129832');
  assert.equal(template?.wabaId, '102290129340777');
  assert.equal(only(items, 'error')[0]?.error.code, 131000);
});

test('the other webhook fields parse into their own item kinds', () => {
  const items = parseWebhookPayload(loadFixture('other-fields.json'));
  assert.deepEqual(
    items.map((i) => i.kind),
    [
      'template_status',
      'template_quality',
      'template_category',
      'phone_number_quality',
      'account_update',
      'business_capability',
      'user_preference',
    ],
  );
  const [status, quality, category, phone, account, capability, preference] = items;
  assert.ok(status?.kind === 'template_status' && status.update.event === 'REJECTED');
  assert.equal(status.update.message_template_id, '1689556908129832');
  assert.ok(quality?.kind === 'template_quality' && quality.update.new_quality_score === 'YELLOW');
  assert.ok(category?.kind === 'template_category' && category.update.new_category === 'MARKETING');
  assert.ok(phone?.kind === 'phone_number_quality' && phone.update.current_limit === 'TIER_10K');
  assert.ok(account?.kind === 'account_update' && account.update.event === 'DISABLED_UPDATE');
  assert.ok(capability?.kind === 'business_capability');
  assert.equal(capability.update.max_daily_conversation_per_phone, 1000);
  assert.ok(preference?.kind === 'user_preference');
  assert.equal(preference.preference.value, 'stop');
  assert.equal(preference.preference.timestamp, '1731705721');
  assert.equal(preference.phoneNumberId, '106540352242922');
  assert.equal(preference.contact?.wa_id, '16505551234');
});

test('unknown fields pass through, unknown types and fields become unknown items', () => {
  const body = loadFixture('unknown-fields-and-types.json');
  const items = parseWebhookPayload(body);
  assert.deepEqual(
    items.map((i) => i.kind),
    ['unknown_message', 'message', 'message', 'message', 'status', 'unknown_change', 'unknown_change'],
  );
  const unknown = only(items, 'unknown_message')[0];
  assert.equal(unknown?.message.type, 'poll_vote');
  assert.deepEqual(unknown?.message.poll_vote, { poll_id: 'p1', options: [0] });
  assert.equal(unknown?.contact?.user_id, 'US.13491208655302741918');

  const [bsuidText, flowReply, callReply] = only(items, 'message');
  assert.equal(bsuidText?.message.from, undefined);
  assert.equal(bsuidText?.message.from_user_id, 'US.13491208655302741918');
  assert.equal(bsuidText?.message.from_logical_id, '95000398405635');
  assert.ok(bsuidText?.message.type === 'text');
  assert.equal(bsuidText.message.text.future_text_field, true);
  assert.equal(bsuidText.contact?.profile?.username, '@hidden');
  assert.ok(flowReply?.message.type === 'interactive');
  assert.equal(flowReply.message.interactive.nfm_reply?.response_json, '{"flow_token":"abc"}');
  assert.ok(callReply?.message.type === 'interactive');
  assert.equal(callReply.message.interactive.type, 'call_permission_reply');

  const status = only(items, 'status')[0]?.status;
  assert.equal(status?.recipient_id, undefined);
  assert.equal(status?.recipient_user_id, 'US.13491208655302741918');
  assert.equal(status?.pricing?.future_pricing, 'x');

  const changes = only(items, 'unknown_change');
  assert.deepEqual(
    changes.map((c) => c.field),
    ['security', 'smb_message_echoes'],
  );
  assert.deepEqual(changes[0]?.value, { event: 'NEW_SECURITY_THING', details: { a: 1 } });

  const parsed = webhookPayloadSchema.parse(body);
  assert.deepEqual(parsed.entry[0]?.future_entry_field, { x: 1 });
});

test('invalid payloads fail with a message naming the path', () => {
  const cases = loadFixture('invalid-payloads.json') as Record<string, unknown>;
  const expected: Record<string, RegExp> = {
    'missing text body': /entry\[0\]\.changes\[0\]\.value\.messages\[0\]\.text\.body/,
    'numeric timestamp': /messages\[0\]\.timestamp/,
    'missing message id': /messages\[0\]\.id/,
    'missing metadata': /changes\[0\]\.value\.metadata/,
    'wrong object': /^Invalid webhook payload: object:/,
    'entry not an array': /entry: .*array/,
    'change without field': /changes\[0\]\.field/,
    'status without id': /statuses\[0\]\.id/,
    'button reply without object': /interactive\.button_reply: missing button_reply/,
    'template update without name': /changes\[0\]\.value\.message_template_name/,
  };
  assert.deepEqual(Object.keys(cases).sort(), Object.keys(expected).sort());
  for (const [name, body] of Object.entries(cases)) {
    const result = safeParseWebhookPayload(body);
    assert.equal(result.success, false, `${name} should fail`);
    if (result.success) continue;
    assert.ok(result.error instanceof WebhookPayloadError);
    assert.match(result.error.message, expected[name] ?? /never/, name);
    assert.ok(result.error.issues.length > 0);
    assert.throws(() => parseWebhookPayload(body), WebhookPayloadError);
  }
});

test('a malformed known message never slips through as an unknown one', () => {
  const body = loadFixture('invalid-payloads.json') as Record<string, unknown>;
  const result = safeParseWebhookPayload(body['missing text body']);
  assert.equal(result.success, false);
  assert.equal(result.success ? 0 : result.error.issues.length, 1);
});

test('non-object bodies are rejected', () => {
  for (const body of [null, 'text', 42, [], {}]) {
    assert.throws(() => parseWebhookPayload(body), WebhookPayloadError);
  }
});
