import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  launchBrowser,
  type RunningPlatform,
  screenshot,
  screenshotDir,
  sessionApi,
  startPlatform,
} from './harness';

/**
 * Billing in a real browser against embedded mode: the operator funds a prepaid wallet, a marketing
 * template reaches a virtual customer and Meta (the simulator) reports it delivered, the charge shows in
 * the wallet and in usage at the example rate card's price, the CSV export downloads, a send the wallet
 * cannot cover is refused in the inbox with the server's words, and the customer's STOP flags and
 * pauses the template until the owner reviews it.
 */
const stamp = Date.now().toString(36);
const password = 'correct horse battery';
const owner = `owner-${stamp}@example.com`;
const viewer = `viewer-${stamp}@example.com`;
const customers = ['919812345601', '919812345602'] as const;
const TEMPLATE = 'festive_offer';
/** Default example card (migration 0007): marketing to India (+91), USD. */
const PRICE = { micros: 11_800, text: '$0.0118' };

let platform: RunningPlatform;
let browser: Browser;
let page: Page;
let ws = '';
let channelId = '';
let phoneNumberId = '';
let conversationId = '';
let messageId = '';

const api = (method: string, path: string, body?: unknown) =>
  sessionApi(page, method, `/api/v1/workspaces/${ws}${path}`, body);

async function visible(p: Page, text: string | RegExp, timeout = 20_000) {
  await p.getByText(text).first().waitFor({ state: 'visible', timeout });
}

/** Polls `probe` until it returns something; the platform settles deliveries and flags asynchronously. */
async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  attempts = 100,
  pauseMs = 300,
) {
  for (let i = 0; i < attempts; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await page.waitForTimeout(pauseMs);
  }
  assert.fail(`never happened: ${what}`);
}

function sendTemplate(to: string) {
  return api('POST', '/messages', {
    channelId,
    to,
    type: 'template',
    template: { name: TEMPLATE, language: 'en_US' },
  });
}

describe('billing (embedded mode, real browser)', () => {
  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [platform, browser] = await Promise.all([startPlatform(), launchBrowser()]);
    const context = await browser.newContext({
      baseURL: platform.url,
      viewport: { width: 1280, height: 900 },
      locale: 'en-US',
      acceptDownloads: true,
    });
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await platform?.stop();
  });

  test('sign up, connect WhatsApp, get a marketing template approved', async () => {
    await page.goto('/signup');
    await page.getByLabel('Your name').fill('Priya Owner');
    await page.getByLabel('Work email').fill(owner);
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('Business name').fill('Lakshmi Sweets');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/w/*/inbox');
    ws = new URL(page.url()).pathname.split('/')[2] ?? '';

    await page.getByRole('link', { name: 'Channels' }).click();
    await page.getByRole('button', { name: 'Connect WhatsApp' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect WhatsApp' });
    const standIn = dialog.getByRole('form', { name: 'Simulated Meta sign-up' });
    await standIn.getByLabel('Phone number').fill('+1 555-010-0200');
    await standIn.getByRole('button', { name: 'Finish sign-up' }).click();
    await dialog
      .getByText('is connected and ready to send and receive messages')
      .waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Done' }).click();
    const channels = await api('GET', '/channels');
    channelId = channels.body.items[0].id;
    phoneNumberId = channels.body.items[0].phoneNumberId;

    const created = await api('POST', '/templates', {
      channelId,
      template: {
        name: TEMPLATE,
        language: 'en_US',
        category: 'MARKETING',
        components: [{ type: 'BODY', text: 'Diwali sweets are 20% off this week at Lakshmi Sweets.' }],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const templateId = created.body.template.id;
    await eventually('the template is approved', async () => {
      const list = await api('GET', '/templates?status=APPROVED');
      return list.body.items.some((t: { id: string }) => t.id === templateId) ? true : undefined;
    });
    for (const waId of customers) await platform.sim('POST', '/_sim/customers', { wa_id: waId });
  });

  test('the operator tops up a prepaid wallet; the owner sees the balance and the entry', async () => {
    const mode = await platform.operator('PUT', `/api/v1/operator/billing/workspaces/${ws}/wallet`, {
      mode: 'prepaid',
    });
    assert.equal(mode.status, 200, JSON.stringify(mode.body));
    // Enough for one marketing message to India (0.0118), not two.
    const credit = await platform.operator(
      'POST',
      `/api/v1/operator/billing/workspaces/${ws}/wallet/credits`,
      {
        kind: 'top_up',
        amount: '0.02',
        reference: 'NEFT UTR 4417',
      },
    );
    assert.equal(credit.status, 201, JSON.stringify(credit.body));

    await page.getByRole('link', { name: 'Billing' }).click();
    await page.waitForURL('**/billing/usage');
    const wallet = page.getByRole('region', { name: /Wallet/ }).first();
    await wallet.getByText('Prepaid').waitFor();
    assert.equal(await figure('Balance'), '$0.02');
    assert.equal(await figure('Available'), '$0.02');
    assert.equal(await figure('Currency'), 'USD');
    const entries = page.getByRole('table', { name: 'Wallet entries' });
    const topUp = entries.getByRole('row', { name: /Top-up/ });
    await topUp.getByText('NEFT UTR 4417').waitFor();
    assert.match((await topUp.textContent()) ?? '', /\+\$0\.02/);
    await visible(page, 'No billable messages in this period');
  });

  test('a template Meta reports delivered is charged and shows in usage at the rate card price', async () => {
    const sent = await sendTemplate(customers[0]);
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    messageId = sent.body.message.id;
    conversationId = sent.body.message.conversationId;
    await eventually('the delivery is charged', async () => {
      const ledger = await api('GET', '/billing/usage/entries');
      return ledger.body.data.length > 0 ? true : undefined;
    });
    const phone = await platform.sim('GET', `/_sim/customers/${customers[0]}/messages`);
    assert.ok(phone.received.some((m: { type: string }) => m.type === 'template'));

    await page.reload();
    assert.equal(await figure('Balance'), '$0.0082');
    assert.equal(await figure('Held for messages in flight'), '$0.00');
    const entries = page.getByRole('table', { name: 'Wallet entries' });
    const charge = entries.getByRole('row', { name: /Charge/ });
    assert.match((await charge.textContent()) ?? '', /-\$0\.0118.*\$0\.0082/);
    assert.match((await charge.textContent()) ?? '', new RegExp(messageId));
    await entries.getByRole('row', { name: /Hold for a message/ }).waitFor();
    await entries.getByRole('row', { name: /Hold released/ }).waitFor();

    // By day (the default) and by category: each table's rows add up to its total.
    const byDay = page.getByRole('table', { name: 'Usage by day' });
    assert.deepEqual(await cells(byDay.locator('tbody tr').first()), [
      new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date()),
      '1',
      PRICE.text,
    ]);
    assert.deepEqual(await cells(byDay.locator('tfoot tr')), ['Total (USD)', '1', PRICE.text]);
    await page.getByLabel('Group by').selectOption('category');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/groupBy=category/);
    const byCategory = page.getByRole('table', { name: 'Usage by category' });
    assert.deepEqual(await cells(byCategory.locator('tbody tr').first()), ['Marketing', '1', PRICE.text]);
    assert.deepEqual(await cells(byCategory.locator('tfoot tr')), ['Total (USD)', '1', PRICE.text]);
    const report = await api('GET', '/billing/usage?groupBy=category');
    assert.equal(report.body.totals[0].amount.micros, PRICE.micros);
    await screenshot(page, 'billing-wallet-usage');

    // The server checks the period: a start after the end is refused beside the field.
    await page.getByLabel('From').fill('2026-12-31');
    await page.getByLabel('To').fill('2026-01-01');
    await page.getByRole('button', { name: 'Show' }).click();
    await visible(page, /must be before/);
    assert.equal(await page.getByLabel('From').getAttribute('aria-invalid'), 'true');
  });

  test('the CSV export downloads the ledger', async () => {
    // Settings leads to usage too (issue #9: "plan and usage").
    await page.getByRole('link', { name: 'Settings' }).click();
    await page
      .getByRole('navigation', { name: 'Settings' })
      .getByRole('link', { name: 'Usage & wallet' })
      .click();
    await page.waitForURL('**/billing/usage');
    await page.getByRole('table', { name: 'Usage by day' }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const file = await download.path();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(
      lines[0],
      'occurred_at,message_id,channel_id,pricing_model,category,pricing_type,market,currency,price,key',
    );
    assert.equal(lines.length, 2);
    const row = lines[1]?.split(',') ?? [];
    assert.deepEqual(row.slice(1, 9), [
      messageId,
      channelId,
      'PMP',
      'marketing',
      'regular',
      '91',
      'USD',
      '0.0118',
    ]);
  });

  test('a send the wallet cannot cover is refused in the inbox with a clear message', async () => {
    await page.goto(`/w/${ws}/inbox/${conversationId}`);
    await page
      .getByLabel('Template', { exact: true })
      .selectOption({ label: `${TEMPLATE} (en_US) · marketing` });
    await page.getByRole('button', { name: 'Send template' }).click();
    await visible(page, /available balance \(0\.0082 USD\) does not cover this message \(0\.0118 USD\)/);
    await screenshot(page, 'inbox-insufficient-balance');
  });

  test('governance: thresholds checked by the server, a STOP flags and pauses the template, the owner resumes it', async () => {
    await page.getByRole('link', { name: 'Billing' }).click();
    await page.getByRole('link', { name: 'Template governance' }).click();
    const activity = page.getByRole('table', { name: 'Template activity' });
    assert.match(
      (await activity.getByRole('row', { name: new RegExp(TEMPLATE) }).textContent()) ?? '',
      /Marketing/,
    );
    await visible(page, 'No open flags');

    const thresholds = page.getByRole('form', { name: 'Governance thresholds' });
    await thresholds.getByLabel('Sends before rates count').fill('0');
    await thresholds.getByRole('button', { name: 'Save thresholds' }).click();
    await thresholds.getByText(/expected number to be >=1/i).waitFor();
    assert.equal(
      await thresholds.getByLabel('Sends before rates count').getAttribute('aria-invalid'),
      'true',
    );
    // One opt-out in one send is enough to flag, for the test.
    await thresholds.getByLabel('Sends before rates count').fill('1');
    await thresholds.getByLabel('Opt-out rate (basis points)').fill('1');
    await thresholds.getByRole('button', { name: 'Save thresholds' }).click();
    await visible(page, 'Governance thresholds saved');

    await platform.sim('POST', `/_sim/customers/${customers[0]}/send`, {
      phone_number_id: phoneNumberId,
      type: 'text',
      text: { body: 'STOP' },
    });
    // The governance job runs every minute.
    await eventually(
      'the template is flagged',
      async () =>
        (await api('GET', '/billing/governance/flags?state=open')).body.data.length ? true : undefined,
      100,
      1000,
    );
    const paused = await sendTemplate(customers[1]);
    assert.equal(paused.body.error.code, 'template_paused');
    assert.match(paused.body.error.message, /paused for review.*a Manager can resume them/);

    await page.reload();
    const flags = page.getByRole('table', { name: 'Open flags' });
    const flag = flags.getByRole('row', { name: new RegExp(TEMPLATE) });
    assert.match((await flag.textContent()) ?? '', /Opt-out rate.*1 opt-out in 1 send \(100%\).*Paused/);
    await screenshot(page, 'billing-governance');

    await flag.getByRole('button', { name: 'Review & resume' }).click();
    const dialog = page.getByRole('dialog', { name: 'Review flag' });
    await dialog.getByRole('button', { name: 'Review & resume' }).click();
    await dialog.getByText('Is required').waitFor();
    await dialog
      .getByLabel('Review note')
      .fill('Customer asked to stop; list cleaned before the next batch.');
    await dialog.getByRole('button', { name: 'Review & resume' }).click();
    await visible(page, `Flag reviewed: ${TEMPLATE} may be sent again`);
    await visible(page, 'No open flags');
    await page.getByLabel('Show').selectOption('reviewed');
    await page
      .getByRole('table', { name: 'Reviewed flags' })
      .getByText(/list cleaned/)
      .waitFor();
    // Resumed: the next send is judged again, and now only the wallet stands in its way.
    assert.equal((await sendTemplate(customers[1])).body.error.code, 'insufficient_balance');
  });

  test('a Viewer (no billing.view) sees no Billing entry', async () => {
    const invited = await api('POST', '/invitations', { email: viewer, role: 'viewer' });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    const mail = await platform.mailTo('invitation', viewer);
    const context = await browser.newContext({
      baseURL: platform.url,
      viewport: { width: 1280, height: 800 },
    });
    const p = await context.newPage();
    await p.goto(new URL(mail.link).pathname + new URL(mail.link).search);
    await p.getByRole('link', { name: 'Create an account' }).click();
    await p.getByLabel('Your name').fill('Vikram Viewer');
    await p.getByLabel('Work email').fill(viewer);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'Create account' }).click();
    await p.waitForURL('**/w/*/inbox');

    const nav = p.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Inbox' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Billing' }).count(), 0);
    await nav.getByRole('link', { name: 'Settings' }).click();
    await p.getByRole('navigation', { name: 'Settings' }).waitFor();
    assert.equal(await p.getByRole('link', { name: 'Usage & wallet' }).count(), 0);
    await p.goto(`/w/${ws}/billing/usage`);
    await visible(p, 'Your role cannot see billing');
    assert.equal((await sessionApi(p, 'GET', `/api/v1/workspaces/${ws}/billing/wallet`)).status, 403);
    await context.close();
  });
});

/** The value of one figure in the wallet card ("Balance" → "$0.02"). */
async function figure(label: string): Promise<string> {
  const item = page.locator('.limit', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) });
  return ((await item.locator('dd').textContent()) ?? '').trim();
}

async function cells(row: ReturnType<Page['locator']>): Promise<string[]> {
  await row.waitFor();
  return (await row.locator('th, td').allTextContents()).map((text) => text.trim());
}
