import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, type RunningPlatform, screenshot, screenshotDir, startPlatform } from './harness';

// One platform and browser for the story: connect a number, build a template, play a customer.
let platform: RunningPlatform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let workspaceId: string;

const stamp = Date.now().toString(36);
const password = 'correct horse battery';

async function expectVisible(scope: Page | ReturnType<Page['locator']>, text: string | RegExp) {
  await scope.getByText(text).first().waitFor({ state: 'visible', timeout: 20_000 });
}

/** A call to the REST API with the browser's session (and its CSRF token for writes). */
async function apiCall(method: 'GET' | 'POST', path: string, data?: unknown) {
  const csrf = (await context.cookies()).find((c) => c.name === 'owaba_csrf')?.value ?? '';
  const response = await page.request.fetch(path, {
    method,
    headers: { 'x-csrf-token': decodeURIComponent(csrf) },
    ...(data === undefined ? {} : { data }),
  });
  assert.ok(response.ok(), `${method} ${path} → ${response.status()}: ${await response.text()}`);
  return response.json();
}

describe('channels, templates and the simulator phone (embedded mode, real browser)', () => {
  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [platform, browser] = await Promise.all([startPlatform(), launchBrowser()]);
    context = await browser.newContext({ baseURL: platform.url, viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await platform?.stop();
  });

  test('sign up, then connect WhatsApp through the simulator’s Embedded Signup stand-in', async () => {
    await page.goto('/signup');
    await page.getByLabel('Your name').fill('Chandra Channel');
    await page.getByLabel('Work email').fill(`channels-${stamp}@example.com`);
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('Business name').fill('Chai Point');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/w/*/inbox');
    workspaceId = new URL(page.url()).pathname.split('/')[2] ?? '';

    await page.getByRole('link', { name: 'Channels' }).click();
    await expectVisible(page, 'No WhatsApp number connected yet');
    await page.getByRole('button', { name: 'Connect WhatsApp' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect WhatsApp' });
    const standIn = dialog.getByRole('form', { name: 'Simulated Meta sign-up' });
    await standIn.getByLabel('Phone number').fill('not a number');
    await standIn.getByRole('button', { name: 'Finish sign-up' }).click();
    // The server's validation message sits under the field it is about.
    await expectVisible(standIn, 'A phone number such as +1 555-010-0001');
    assert.equal(await standIn.getByLabel('Phone number').getAttribute('aria-invalid'), 'true');
    await standIn.getByLabel('Phone number').fill('+1 555-010-2024');
    await screenshot(page, 'channels-connect');
    // Meta fails the code exchange once: the step shows Meta's error, and Retry resumes there.
    const fault = await fetch(`${platform.simUrl}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'server-error', status: 500, count: 1 }),
    });
    assert.equal(fault.status, 201);
    await standIn.getByRole('button', { name: 'Finish sign-up' }).click();
    await expectVisible(dialog, 'Meta answered');
    const steps = dialog.getByRole('list', { name: 'Connection progress' });
    await expectVisible(steps, 'Confirm the sign-up with Meta (failed)');
    await screenshot(page, 'channels-connect-failed');
    await dialog.getByRole('button', { name: 'Retry' }).click();

    await expectVisible(dialog, 'is connected and ready to send and receive messages');
    assert.equal(await steps.getByText('(done)').count(), 5, 'every onboarding step is ticked');
    await screenshot(page, 'channels-connected-steps');
    await dialog.getByRole('button', { name: 'Done' }).click();

    const row = page.getByRole('row', { name: /\+1 555-010-2024/ });
    await row.waitFor();
    await expectVisible(row, 'Connected');
    await expectVisible(row, 'High');
    await expectVisible(row, '250 customers / 24 h');
    await expectVisible(row, 'Standard · 80 msg/s');
    await screenshot(page, 'channels');
  });

  test('build a template with a live preview, submit it, and see it approved', async () => {
    await page.getByRole('link', { name: 'Templates' }).click();
    await expectVisible(page, 'No templates yet');
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByRole('button', { name: 'Submit for review' }).click();
    // Checked in the browser with the server's own rules, next to each field.
    await expectVisible(page, 'The body needs text');
    await expectVisible(page, 'Lowercase letters, digits and underscores only');
    await screenshot(page, 'template-builder-errors');

    await page.getByLabel('Name', { exact: true }).fill('order_ready');
    await page.getByLabel('Header').selectOption('TEXT');
    await page.getByLabel('Header text').fill('Order {{1}}');
    await page.getByLabel('Body').fill('Hi {{1}}, your order is *ready* for pickup at {{2}}.');
    await page.getByLabel('Example for header {{1}}').fill('A-1042');
    await page.getByLabel('Example for body {{1}}').fill('Priya');
    await page.getByLabel('Example for body {{2}}').fill('MG Road');
    await page.getByLabel('Footer (optional)').fill('Chai Point');
    await page.getByRole('button', { name: '+ Quick reply' }).click();
    await page.getByLabel('Button text').fill('On my way');
    const preview = page.getByRole('region', { name: 'Preview' });
    await expectVisible(preview, 'Order A-1042');
    const shown = (await preview.textContent()) ?? '';
    assert.match(shown, /Hi Priya, your order is ready for pickup at MG Road\./);
    assert.match(shown, /Chai Point/);
    assert.equal(await preview.locator('strong', { hasText: 'ready' }).count(), 1, '*bold* renders bold');
    assert.equal(
      await page.getByText(/problems? marked below/).count(),
      0,
      'the reminder goes once all is fixed',
    );
    await screenshot(page, 'template-builder');

    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.waitForURL(/\/templates$/);
    const row = page.getByRole('row', { name: /order_ready/ });
    await row.waitFor();
    await expectVisible(row, /Pending|Approved/);
    // The simulator reviews in seconds; the list looks again while a template is pending.
    await expectVisible(row, 'Approved');
    await row.getByRole('button', { name: /Preview/ }).click();
    await expectVisible(page.getByRole('region', { name: 'Preview' }), 'On my way');
    await screenshot(page, 'templates');
  });

  test('the simulator phone writes as a customer and sees the business’s template', async () => {
    await page.getByRole('link', { name: 'Simulator phone' }).click();
    await page.getByLabel('Customer name').fill('Priya Sharma');
    await page.getByLabel('WhatsApp number (optional)').fill('919800012345');
    await page.getByRole('button', { name: 'Create customer' }).click();
    const phone = page.getByRole('region', { name: 'Phone of Priya Sharma' });
    await expectVisible(phone, 'No messages yet');

    await phone.getByLabel('Message').fill('Hello! Is my order ready?');
    await phone.getByRole('button', { name: 'Send' }).click();
    const chat = phone.getByRole('log', { name: 'Chat' });
    await expectVisible(chat, 'Hello! Is my order ready?');

    // It reached the business through Meta's webhook path: a conversation exists.
    let conversations: { items: unknown[] } = { items: [] };
    for (let i = 0; i < 50 && conversations.items.length === 0; i++) {
      conversations = await apiCall('GET', `/api/v1/workspaces/${workspaceId}/conversations`);
      if (conversations.items.length === 0) await page.waitForTimeout(200);
    }
    assert.equal(conversations.items.length, 1);

    const { items: channels } = await apiCall('GET', `/api/v1/workspaces/${workspaceId}/channels`);
    await apiCall('POST', `/api/v1/workspaces/${workspaceId}/messages`, {
      channelId: channels[0].id,
      to: '919800012345',
      type: 'template',
      template: {
        name: 'order_ready',
        language: 'en_US',
        parameters: { header: 'A-1042', body: ['Priya', 'MG Road'] },
      },
    });
    await expectVisible(chat, 'Hi Priya, your order is');
    await expectVisible(chat, 'Order A-1042');
    await chat.getByRole('button', { name: 'On my way' }).click();
    await expectVisible(chat.locator('.wa-out'), 'On my way');
    await screenshot(page, 'simulator-phone');

    await phone.getByRole('button', { name: 'Reply STOP' }).click();
    await expectVisible(chat.locator('.wa-out'), 'STOP');
  });

  test('a number whose token Meta rejects is flagged, and reconnecting brings it back', async () => {
    const sim = async (path: string, body: unknown) => {
      const response = await fetch(`${platform.simUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.ok(response.ok, `${path} → ${response.status}`);
    };
    const { items: channels } = await apiCall('GET', `/api/v1/workspaces/${workspaceId}/channels`);
    const channel = channels[0];
    // Another customer writes (so the window is open), then Meta rejects the token on the reply.
    await sim('/_sim/customers', { wa_id: '919800054321', name: 'Arjun' });
    await sim('/_sim/customers/919800054321/send', {
      phone_number_id: channel.phoneNumberId,
      type: 'text',
      text: { body: 'Hi there' },
    });
    for (let i = 0; i < 50; i++) {
      const { items } = await apiCall('GET', `/api/v1/workspaces/${workspaceId}/conversations`);
      if (items.length === 2) break;
      await page.waitForTimeout(200);
    }
    await sim('/_sim/faults', {
      kind: 'send-error',
      code: 190,
      http_status: 401,
      phone_number_id: channel.phoneNumberId,
    });
    await apiCall('POST', `/api/v1/workspaces/${workspaceId}/messages`, {
      channelId: channel.id,
      to: '919800054321',
      type: 'text',
      text: { body: 'Hello Arjun!' },
    });

    await page.getByRole('link', { name: 'Channels' }).click();
    const banner = page.getByRole('alert').filter({ hasText: 'needs to be reconnected' });
    for (let i = 0; i < 20 && (await banner.count()) === 0; i++) {
      await page.reload();
      await page.getByRole('table').waitFor();
    }
    await expectVisible(banner, 'Meta no longer accepts the access token');
    await expectVisible(page.getByRole('row', { name: /\+1 555-010-2024/ }), 'Needs reconnecting');
    await screenshot(page, 'channels-needs-reauth');

    await banner.getByRole('button', { name: 'Reconnect' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect WhatsApp' });
    assert.match(
      await dialog.getByLabel('Number to connect').inputValue(),
      new RegExp(`^${channel.phoneNumberId}$`),
    );
    await dialog.getByRole('button', { name: 'Finish sign-up' }).click();
    await expectVisible(dialog, 'is connected and ready to send and receive messages');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expectVisible(page.getByRole('row', { name: /\+1 555-010-2024/ }), 'Connected');
    assert.equal(await banner.count(), 0);
  });

  test('settings show the permission matrix; the simulator fits a phone screen', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'Roles' }).click();
    const matrix = page.getByRole('table');
    await expectVisible(matrix, 'Connect, configure and disconnect numbers');
    const row = matrix.getByRole('row', { name: /channels\.manage/ });
    assert.deepEqual(
      await row
        .getByRole('cell')
        .allInnerTexts()
        .then((cells) => cells.map((c) => c.replace(/\s+/g, ' ').trim())),
      ['✓ Allowed', '✓ Allowed', '— Not allowed', '— Not allowed'],
    );
    await screenshot(page, 'settings-roles');

    const mobile = await browser.newContext({ baseURL: platform.url, viewport: { width: 390, height: 844 } });
    await mobile.addCookies(await context.cookies());
    const small = await mobile.newPage();
    await small.goto(`/w/${workspaceId}/simulator`);
    await expectVisible(small.getByRole('log', { name: 'Chat' }), 'Hello! Is my order ready?');
    const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px too wide)`);
    await screenshot(small, 'phone-simulator');
    await mobile.close();
  });

  test('a Viewer sees numbers and templates but no buttons to change them', async () => {
    const email = `viewer-${stamp}@example.com`;
    await apiCall('POST', `/api/v1/workspaces/${workspaceId}/invitations`, { email, role: 'viewer' });
    const mail = await platform.mailTo('invitation', email);
    const viewer = await browser.newContext({ baseURL: platform.url });
    const view = await viewer.newPage();
    await view.goto(new URL(mail.link).pathname + new URL(mail.link).search);
    await view.getByRole('link', { name: 'Create an account' }).click();
    await view.getByLabel('Your name').fill('Vera Viewer');
    await view.getByLabel('Work email').fill(email);
    await view.getByLabel('Password').fill(password);
    await view.getByRole('button', { name: 'Create account' }).click();
    await view.waitForURL('**/w/*/inbox');

    await view.goto(`/w/${workspaceId}/channels`);
    await expectVisible(view.getByRole('row', { name: /\+1 555-010-2024/ }), 'Connected');
    assert.equal(await view.getByRole('button', { name: 'Connect WhatsApp' }).count(), 0);
    assert.equal(await view.getByRole('button', { name: /Disconnect/ }).count(), 0);
    await view.goto(`/w/${workspaceId}/templates`);
    await expectVisible(view.getByRole('row', { name: /order_ready/ }), 'Approved');
    assert.equal(await view.getByRole('link', { name: 'New template' }).count(), 0);
    assert.equal(await view.getByRole('button', { name: /Delete/ }).count(), 0);
    await view.goto(`/w/${workspaceId}/templates/new`);
    await expectVisible(view, 'Templates are created by Owners and Managers');
    await viewer.close();
  });
});
