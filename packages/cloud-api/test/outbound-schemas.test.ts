import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createTemplateRequestSchema,
  debugTokenResponseSchema,
  formatIssues,
  graphErrorEnvelopeSchema,
  markReadRequestSchema,
  messageStatusRank,
  sendMessageRequestSchema,
  targetIdsForScope,
  toE164,
} from '../src/index.js';

const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '+16505551234' } as const;

test('valid send bodies of every outbound type parse', () => {
  const bodies = [
    { ...base, type: 'text', text: { body: 'Hello', preview_url: true } },
    { ...base, type: 'image', image: { id: '1003383421387256', caption: 'Our menu' } },
    { ...base, type: 'image', image: { link: 'https://example.com/menu.jpg' } },
    { ...base, type: 'audio', audio: { id: '1339346744254546' } },
    { ...base, type: 'video', video: { link: 'https://example.com/clip.mp4', caption: 'Clip' } },
    {
      ...base,
      type: 'document',
      document: { id: '1265318858127539', filename: 'invoice.pdf', caption: 'Invoice' },
    },
    { ...base, type: 'sticker', sticker: { id: '1228150718839214' } },
    { ...base, type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '👍' } },
    { ...base, type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '' } },
    {
      ...base,
      context: { message_id: 'wamid.quoted' },
      biz_opaque_callback_data: 'campaign=1',
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/h.jpg' } }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana' },
              { type: 'currency', currency: { fallback_value: '$10.99', code: 'USD', amount_1000: 10990 } },
              { type: 'date_time', date_time: { fallback_value: 'May 1, 2026' } },
            ],
          },
          { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'A-42' }] },
        ],
      },
    },
    {
      messaging_product: 'whatsapp',
      recipient: 'US.13491208655302741918',
      type: 'template',
      template: {
        name: 'welcome',
        language: { code: 'en' },
        components: [
          { type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'Ana' }] },
        ],
      },
    },
    {
      ...base,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Change or cancel?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'change', title: 'Change' } },
            { type: 'reply', reply: { id: 'cancel', title: 'Cancel' } },
          ],
        },
      },
    },
    {
      ...base,
      type: 'interactive',
      interactive: {
        type: 'list',
        header: { type: 'text', text: 'Shipping' },
        body: { text: 'Pick a speed' },
        footer: { text: 'Prices include tax' },
        action: {
          button: 'Options',
          sections: [
            { title: 'Fast', rows: [{ id: 'express', title: 'Express', description: 'Next day' }] },
            { title: 'Slow', rows: [{ id: 'ground', title: 'Ground' }] },
          ],
        },
      },
    },
  ];
  for (const body of bodies) {
    const result = sendMessageRequestSchema.safeParse(body);
    assert.ok(result.success, `${body.type}: ${result.success ? '' : formatIssues(result.error)}`);
  }
});

test('send bodies breaking Meta limits are rejected with the offending path', () => {
  const longBody = { ...base, type: 'text', text: { body: 'x'.repeat(4097) } };
  const fourButtons = {
    ...base,
    type: 'interactive',
    interactive: {
      type: 'button',
      body: { text: 'Pick' },
      action: {
        buttons: ['a', 'b', 'c', 'd'].map((id) => ({ type: 'reply', reply: { id, title: id } })),
      },
    },
  };
  const duplicateTitles = {
    ...fourButtons,
    interactive: {
      ...fourButtons.interactive,
      action: { buttons: ['a', 'b'].map((id) => ({ type: 'reply', reply: { id, title: 'Same' } })) },
    },
  };
  const elevenRows = {
    ...base,
    type: 'interactive',
    interactive: {
      type: 'list',
      body: { text: 'Pick' },
      action: {
        button: 'Options',
        sections: [
          { title: 'A', rows: Array.from({ length: 6 }, (_, i) => ({ id: `a${i}`, title: `A${i}` })) },
          { title: 'B', rows: Array.from({ length: 5 }, (_, i) => ({ id: `b${i}`, title: `B${i}` })) },
        ],
      },
    },
  };
  const bothIdAndLink = { ...base, type: 'image', image: { id: '1', link: 'https://example.com/a.jpg' } };
  const noAddress = { messaging_product: 'whatsapp', type: 'text', text: { body: 'hi' } };
  const cases: [unknown, RegExp][] = [
    [longBody, /text\.body/],
    [fourButtons, /interactive\.action\.buttons/],
    [duplicateTitles, /unique/],
    [elevenRows, /at most 10 rows/],
    [bothIdAndLink, /exactly one of id or link/],
    [noAddress, /exactly one of to or recipient/],
    [{ ...base, type: 'poll', poll: {} }, /type/],
  ];
  for (const [body, pattern] of cases) {
    const result = sendMessageRequestSchema.safeParse(body);
    assert.equal(result.success, false);
    if (!result.success) assert.match(formatIssues(result.error), pattern);
  }
});

test('mark-read bodies parse with and without the typing indicator', () => {
  const read = { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X' };
  assert.ok(markReadRequestSchema.safeParse(read).success);
  assert.ok(markReadRequestSchema.safeParse({ ...read, typing_indicator: { type: 'text' } }).success);
  assert.equal(markReadRequestSchema.safeParse({ ...read, status: 'delivered' }).success, false);
});

test('template creation bodies enforce the name format', () => {
  const template = {
    name: 'order_update_2',
    language: 'en_US',
    category: 'UTILITY',
    parameter_format: 'named',
    components: [
      {
        type: 'BODY',
        text: 'Order {{order_id}}',
        example: { body_text_named_params: [{ param_name: 'order_id', example: 'A-42' }] },
      },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Track' }] },
    ],
  };
  assert.ok(createTemplateRequestSchema.safeParse(template).success);
  const bad = createTemplateRequestSchema.safeParse({ ...template, name: 'Order Update' });
  assert.equal(bad.success, false);
  if (!bad.success) assert.match(formatIssues(bad.error), /^name: template names hold lowercase/);
});

test('toE164 always yields a leading + and rejects non-numbers', () => {
  assert.equal(toE164('16505551234'), '+16505551234');
  assert.equal(toE164('+1 (650) 555-1234'), '+16505551234');
  assert.equal(toE164('+55 11 99999-0000'), '+5511999990000');
  for (const bad of ['', '+', 'abc', '0044 20 7946 0000', '1234567890123456', '+1 650 CALL NOW']) {
    assert.throws(() => toE164(bad), RangeError, bad);
  }
});

test('status ranks only move forward and failed is terminal', () => {
  const ranked = ['sent', 'delivered', 'read', 'failed'].map(messageStatusRank);
  assert.deepEqual(
    ranked,
    [...ranked].sort((a, b) => a - b),
  );
  assert.ok(messageStatusRank('read') > messageStatusRank('delivered'));
  assert.equal(messageStatusRank('something_new'), 0);
});

test('debug_token responses yield the granted WABA ids per scope', () => {
  const parsed = debugTokenResponseSchema.parse({
    data: {
      app_id: '1234',
      type: 'SYSTEM_USER',
      is_valid: true,
      expires_at: 0,
      scopes: ['whatsapp_business_management'],
      granular_scopes: [
        { scope: 'whatsapp_business_management', target_ids: ['111', '222'] },
        { scope: 'business_management' },
      ],
      future_field: true,
    },
  });
  assert.deepEqual(targetIdsForScope(parsed.data, 'whatsapp_business_management'), ['111', '222']);
  assert.deepEqual(targetIdsForScope(parsed.data, 'business_management'), []);
  assert.equal(debugTokenResponseSchema.safeParse({ data: { app_id: '1' } }).success, false);
});

test('Meta error envelopes parse, including a string error_data', () => {
  const envelope = graphErrorEnvelopeSchema.parse({
    error: {
      message: '(#131056) pair rate limit hit',
      type: 'OAuthException',
      code: 131056,
      error_subcode: 2494055,
      error_data: { messaging_product: 'whatsapp', details: 'Too many messages' },
      fbtrace_id: 'AbC',
    },
  });
  assert.equal(envelope.error.code, 131056);
  assert.ok(
    graphErrorEnvelopeSchema.safeParse({ error: { message: 'x', code: 1, error_data: '{}' } }).success,
  );
  assert.equal(graphErrorEnvelopeSchema.safeParse({ error: { message: 'no code' } }).success, false);
});
