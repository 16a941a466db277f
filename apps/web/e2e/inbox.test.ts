import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, type RunningPlatform, screenshot, screenshotDir, startPlatform } from './harness';
import { apiCall, joinAs as joinAsMember, signUpAndConnect, simCall, visible } from './inbox-helpers';

/**
 * The inbox story of issue #9 in a real browser against embedded mode: a virtual customer of the
 * Graph API simulator writes, the agent answers live, the 24-hour window lapses (shortened for the
 * test with CUSTOMER_SERVICE_WINDOW_SECONDS), a template goes out, the customer replies STOP.
 */
const WINDOW_SECONDS = 60;
const stamp = Date.now().toString(36);
const emails = {
  owner: `owner-${stamp}@example.com`,
  alice: `alice-${stamp}@example.com`,
  bob: `bob-${stamp}@example.com`,
  viewer: `viewer-${stamp}@example.com`,
};
const customer = { waId: '919812345678', name: 'Asha Rao' };
const firstWords = 'Hello! Is my cake order ready?';
const reply = 'Yes, it is ready for pickup after 5 pm.';

let platform: RunningPlatform;
let browser: Browser;
let ownerContext: BrowserContext;
let page: Page;
let ws = '';
let phoneNumberId = '';
let conversationId = '';
let templateId = '';

/** The simulator's control API: what Meta and the customer's phone would do. */
// biome-ignore lint/suspicious/noExplicitAny: test reads arbitrary JSON answers
const sim = (method: string, path: string, body?: unknown): Promise<any> =>
  simCall(platform, method, path, body);

async function customerWrites(text: string) {
  await sim('POST', `/_sim/customers/${customer.waId}/send`, {
    phone_number_id: phoneNumberId,
    type: 'text',
    text: { body: text },
  });
}

/** Waits until the customer's phone shows a message matching `match`. */
// biome-ignore lint/suspicious/noExplicitAny: simulator message shape
async function customerReceives(match: (message: any) => boolean) {
  for (let i = 0; i < 100; i++) {
    const phone = await sim('GET', `/_sim/customers/${customer.waId}/messages`);
    const found = phone.received.find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail('the customer never received the message');
}

const joinAs = (email: string, name: string, viewport?: { width: number; height: number }) =>
  joinAsMember(platform, browser, email, name, viewport);

describe('inbox (embedded mode, real browser)', () => {
  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [platform, browser] = await Promise.all([
      startPlatform({ env: { CUSTOMER_SERVICE_WINDOW_SECONDS: String(WINDOW_SECONDS) } }),
      launchBrowser(),
    ]);
    ownerContext = await browser.newContext({
      baseURL: platform.url,
      viewport: { width: 1440, height: 900 },
    });
    page = await ownerContext.newPage();
  });

  after(async () => {
    await browser?.close();
    await platform?.stop();
  });

  test('sign up, connect WhatsApp, prepare a template', async () => {
    let channelId: string;
    ({ ws, channelId, phoneNumberId } = await signUpAndConnect(page, {
      name: 'Olivia Owner',
      email: emails.owner,
      business: 'Acme Bakery',
    }));

    const created = await apiCall(page, 'POST', `/api/v1/workspaces/${ws}/templates`, {
      channelId,
      template: {
        name: 'order_ready',
        language: 'en_US',
        category: 'UTILITY',
        components: [
          {
            type: 'BODY',
            text: 'Hi {{1}}, your order {{2}} is ready for pickup.',
            example: { body_text: [['Asha', 'A-1042']] },
          },
        ],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    templateId = created.body.template.id;
    // The simulator reviews templates after a short delay and reports APPROVED by webhook.
    for (let i = 0; ; i++) {
      const list = await apiCall(page, 'GET', `/api/v1/workspaces/${ws}/templates?status=APPROVED`);
      if (list.body.items.some((t: { id: string }) => t.id === templateId)) break;
      assert.ok(i < 100, 'the template was never approved');
      await page.waitForTimeout(200);
    }
    await sim('POST', '/_sim/customers', { wa_id: customer.waId, name: customer.name });
    await page.getByRole('link', { name: 'Inbox' }).click();
    await visible(page, 'No conversations here');
  });

  test('a customer writes and the message appears live, without a reload', async () => {
    await page.evaluate(() => {
      (window as unknown as { beforeMessage: boolean }).beforeMessage = true;
    });
    await customerWrites(firstWords);
    await visible(page, firstWords);
    assert.equal(
      await page.evaluate(() => (window as unknown as { beforeMessage?: boolean }).beforeMessage),
      true,
      'the page was not reloaded',
    );
    await page.locator('.conv-row .count').first().waitFor();

    // Keyboard: focus the list, move with j, open with Enter.
    await page.locator('[data-row]').first().focus();
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/inbox/conv_*');
    conversationId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
    await page.locator('.thread p.bubble-text', { hasText: firstWords }).waitFor();
    await visible(page, /Window open · closes/);
    await visible(page, 'Subscribed: may be messaged.');
  });

  test('the agent replies with Ctrl+Enter and the customer receives it', async () => {
    await page.getByLabel('Message').fill(reply);
    await page.getByLabel('Message').press('Control+Enter');
    await page.locator('.is-out p.bubble-text', { hasText: reply }).waitFor();
    const received = await customerReceives((m) => m.type === 'text' && m.text?.body === reply);
    assert.equal(received.phone_number_id, phoneNumberId);
    // Delivery ticks follow the statuses Meta reports.
    await page.locator('.is-out .ticks-delivered, .is-out .ticks-read').first().waitFor({ timeout: 20_000 });

    // Quick replies on "/": the chosen one is filled in with the contact's details.
    const created = await apiCall(page, 'POST', `/api/v1/workspaces/${ws}/quick-replies`, {
      shortcut: 'ready',
      body: 'Hi {{contact.first_name}}, your order is packed and waiting.',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await page.getByLabel('Message').fill('/rea');
    await page
      .getByRole('list', { name: /Quick replies/ })
      .getByText('/ready')
      .waitFor();
    await page.getByLabel('Message').press('Enter');
    await page.waitForFunction(() =>
      (document.querySelector('#composer-text') as HTMLTextAreaElement | null)?.value.includes(
        'packed and waiting',
      ),
    );
    assert.ok(!(await page.getByLabel('Message').inputValue()).includes('{{'), 'variables are filled in');
    await page.getByLabel('Message').press('Control+Enter');
    await page.locator('.is-out p.bubble-text', { hasText: 'packed and waiting' }).waitFor();

    // Internal notes sit in the thread, distinct from messages, and never reach the customer.
    await page.getByRole('tab', { name: 'Internal note' }).click();
    await page.locator('#note-text').fill('Asked for pickup after 5 pm; cake is in the fridge.');
    await page.locator('#note-text').press('Control+Enter');
    await page.locator('.thread .note', { hasText: 'cake is in the fridge' }).waitFor();
    await page.getByRole('tab', { name: 'Reply' }).click();
    const phone = await sim('GET', `/_sim/customers/${customer.waId}/messages`);
    assert.ok(!JSON.stringify(phone.received).includes('fridge'), 'the note was not sent to WhatsApp');
    await screenshot(page, 'inbox-conversation');
  });

  test('every kind of message renders in the thread', async () => {
    const replyWamid = (await customerReceives((m) => m.type === 'text' && m.text?.body === reply)).id;
    const inbound: [string, Record<string, unknown>][] = [
      ['image', { image: { caption: 'The cake we ordered' } }],
      ['document', { document: { filename: 'invoice.pdf', mime_type: 'application/pdf' } }],
      ['audio', { audio: { voice: true } }],
      ['video', { video: {} }],
      ['sticker', { sticker: {} }],
      [
        'location',
        { location: { latitude: 12.9716, longitude: 77.5946, name: 'Acme Bakery', address: 'MG Road' } },
      ],
      [
        'contacts',
        { contacts: [{ name: { formatted_name: 'Ravi Kumar' }, phones: [{ phone: '+91 98765 43210' }] }] },
      ],
      [
        'interactive',
        { interactive: { type: 'button_reply', button_reply: { id: 'pickup', title: 'Pickup at 5' } } },
      ],
      [
        'interactive',
        {
          interactive: {
            type: 'list_reply',
            list_reply: { id: 'choc', title: 'Chocolate', description: 'Dark chocolate sponge' },
          },
        },
      ],
      ['reaction', { reaction: { message_id: replyWamid, emoji: '👍' } }],
      ['text', { text: { body: 'Perfect, see you then' }, context: { message_id: replyWamid } }],
    ];
    for (const [type, body] of inbound) {
      await sim('POST', `/_sim/customers/${customer.waId}/send`, {
        phone_number_id: phoneNumberId,
        type,
        ...body,
      });
    }
    const detail = await apiCall(page, 'GET', `/api/v1/workspaces/${ws}/conversations/${conversationId}`);
    const buttons = await apiCall(page, 'POST', `/api/v1/workspaces/${ws}/messages`, {
      channelId: detail.body.channelId,
      contactId: detail.body.contact.id,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Which size would you like?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'small', title: 'Small' } },
            { type: 'reply', reply: { id: 'large', title: 'Large' } },
          ],
        },
      },
    });
    assert.equal(buttons.status, 202, JSON.stringify(buttons.body));

    const thread = page.locator('.thread');
    await thread.locator('.type-image', { hasText: 'The cake we ordered' }).waitFor();
    await thread.locator('.type-document', { hasText: 'invoice.pdf' }).waitFor();
    await thread.locator('.type-audio').waitFor();
    await thread.locator('.type-video').waitFor();
    await thread.locator('.type-sticker').waitFor();
    await thread
      .locator('.type-location', { hasText: 'Acme Bakery' })
      .getByRole('link', { name: /Open map/ })
      .waitFor();
    await thread.locator('.type-contacts', { hasText: 'Ravi Kumar' }).waitFor();
    await thread.locator('.reply-chip', { hasText: 'Pickup at 5' }).waitFor();
    await thread.locator('.reply-chip', { hasText: 'Chocolate' }).waitFor();
    // The reaction sits on the message it reacts to; the quoted reply shows what it answers.
    await thread.locator('.is-out', { hasText: reply }).locator('.reactions').waitFor();
    const quoting = thread.locator('.bubble', { hasText: 'Perfect, see you then' });
    assert.match((await quoting.locator('.quote').textContent()) ?? '', /ready for pickup after 5 pm/);
    await thread.locator('.is-out .type-interactive .bubble-buttons', { hasText: 'Large' }).waitFor();
    await screenshot(page, 'inbox-message-types');
  });

  test('labels and status from the conversation header, and the list filters by them', async () => {
    const label = await apiCall(page, 'POST', `/api/v1/workspaces/${ws}/labels`, {
      name: 'VIP',
      color: '#7c3aed',
    });
    assert.equal(label.status, 201, JSON.stringify(label.body));
    await page.reload();
    await page.locator('.label-menu summary').click();
    await page.locator('.label-menu-body').getByLabel('VIP').click();
    await page.locator('.conv-row .chip', { hasText: 'VIP' }).waitFor();
    await page.locator('.label-menu summary').click();

    await page.getByLabel('Conversation status').selectOption('pending');
    await page.locator('.conv-row .chip', { hasText: 'pending' }).waitFor();
    await page.getByLabel('Filter by label').selectOption({ label: 'VIP' });
    await page.waitForURL(/label=/);
    await page.locator('.conv-row', { hasText: customer.name }).waitFor();
    await page.getByLabel('Filter by status').selectOption('resolved');
    await visible(page, 'No conversations here');
    await page.getByLabel('Filter by status').selectOption('');
    await page.getByLabel('Filter by label').selectOption('');
    await page.getByLabel('Conversation status').selectOption('open');
    await page.locator('.conv-row', { hasText: customer.name }).waitFor();
  });

  test('an Agent sees only their conversations; a Viewer cannot send', async () => {
    for (const [email, role] of [
      [emails.alice, 'agent'],
      [emails.bob, 'agent'],
      [emails.viewer, 'viewer'],
    ] as const) {
      const invited = await apiCall(page, 'POST', `/api/v1/workspaces/${ws}/invitations`, { email, role });
      assert.equal(invited.status, 201, JSON.stringify(invited.body));
    }
    const alice = await joinAs(emails.alice, 'Alice Agent');
    const bob = await joinAs(emails.bob, 'Bob Agent');
    const viewer = await joinAs(emails.viewer, 'Victor Viewer', { width: 390, height: 844 });

    // The owner assigns the conversation to Alice from the conversation header.
    await page.reload();
    await page.getByLabel('Assignee').selectOption({ label: 'Alice Agent' });
    await page.locator('.conv-row', { hasText: 'Alice Agent' }).waitFor();

    await alice.page.locator('.conv-row', { hasText: customer.name }).click();
    await alice.page.locator('.thread p.bubble-text', { hasText: firstWords }).waitFor();
    assert.equal(await alice.page.getByRole('tab', { name: 'Reply' }).count(), 1);

    await visible(bob.page, 'No conversations here');
    assert.equal(await bob.page.locator('.conv-row').count(), 0);
    await bob.page.goto(`/w/${ws}/inbox/${conversationId}`);
    await visible(bob.page, 'Conversation not found');

    // The Viewer reads on a phone: one pane at a time, and no composer.
    await viewer.page.locator('.conv-row', { hasText: customer.name }).click();
    await viewer.page.locator('.thread p.bubble-text', { hasText: firstWords }).waitFor();
    assert.equal(await viewer.page.locator('.inbox-list').isVisible(), false, 'the list hides on a phone');
    await visible(viewer.page, 'Your role can read this conversation but not reply to it.');
    assert.equal(await viewer.page.getByLabel('Message').count(), 0);
    assert.equal(await viewer.page.getByLabel('Assignee').count(), 0);
    await screenshot(viewer.page, 'phone-inbox-viewer');
    const refused = await apiCall(viewer.page, 'POST', `/api/v1/workspaces/${ws}/messages`, {
      channelId: (await apiCall(page, 'GET', `/api/v1/workspaces/${ws}/conversations/${conversationId}`)).body
        .channelId,
      to: customer.waId,
      type: 'text',
      text: { body: 'A viewer should not be able to send this' },
    });
    assert.equal(refused.status, 403);
    await viewer.page.getByRole('button', { name: 'Back to conversations' }).click();
    await viewer.page.locator('.inbox-list').waitFor();

    await Promise.all([alice.context.close(), bob.context.close(), viewer.context.close()]);
  });

  test('when the 24-hour window lapses the composer offers templates only', async () => {
    await visible(page, 'Window closed · templates only', (WINDOW_SECONDS + 30) * 1000);
    await visible(page, 'The 24-hour window is closed');
    assert.equal(await page.getByLabel('Message').count(), 0, 'no free-form composer');

    await page.getByLabel('Template', { exact: true }).selectOption(templateId);
    await page.getByLabel('{{1}}', { exact: true }).fill('Asha');
    await page.getByLabel('{{2}}', { exact: true }).fill('A-1042');
    await page.getByLabel('Preview').getByText('Hi Asha, your order A-1042 is ready for pickup.').waitFor();
    await screenshot(page, 'inbox-template');
    await page.getByRole('button', { name: 'Send template' }).click();
    await page.locator('.thread .type-template').first().waitFor();
    const received = await customerReceives((m) => m.type === 'template');
    assert.equal(received.template.name, 'order_ready');
  });

  test('the customer replies STOP: opted out, and a new send is refused', async () => {
    await customerWrites('STOP');
    await page.locator('.thread p.bubble-text', { hasText: 'STOP' }).waitFor();
    await visible(page, 'Opted out');
    await visible(page, /opted out of WhatsApp messages/);
    assert.equal(await page.getByRole('button', { name: 'Send template' }).count(), 0);
    await screenshot(page, 'inbox-opted-out');

    const detail = await apiCall(page, 'GET', `/api/v1/workspaces/${ws}/conversations/${conversationId}`);
    const refused = await apiCall(page, 'POST', `/api/v1/workspaces/${ws}/messages`, {
      channelId: detail.body.channelId,
      contactId: detail.body.contact.id,
      type: 'text',
      text: { body: 'Are you still there?' },
    });
    assert.equal(refused.body.error.code, 'contact_opted_out');
    assert.equal(refused.body.error.message, 'The contact opted out of messages');
    assert.ok(refused.status >= 400 && refused.status < 500);
  });
});
