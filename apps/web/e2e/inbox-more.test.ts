import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, type RunningPlatform, screenshot, screenshotDir, startPlatform } from './harness';
import { apiCall, joinAs, signUpAndConnect, simCall, visible } from './inbox-helpers';

/**
 * The inbox beyond the main story: customers' files shown and downloaded, files sent from the agent's
 * computer, search, typing and presence between two members, the "waiting longest" order.
 */
const stamp = Date.now().toString(36);
const emails = { owner: `owner-${stamp}@example.com`, alice: `alice-${stamp}@example.com` };
const meera = { waId: '919845000111', name: 'Meera Iyer' };
const kiran = { waId: '919845000222', name: 'Kiran Das' };
/** A 1×1 PNG: real bytes the browser decodes. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

let platform: RunningPlatform;
let browser: Browser;
let page: Page;
let ws = '';
let phoneNumberId = '';
const conversationOf = new Map<string, string>();

// biome-ignore lint/suspicious/noExplicitAny: test reads arbitrary JSON answers
const sim = (method: string, path: string, body?: unknown): Promise<any> =>
  simCall(platform, method, path, body);

async function customerSends(waId: string, type: string, content: Record<string, unknown>) {
  await sim('POST', `/_sim/customers/${waId}/send`, {
    phone_number_id: phoneNumberId,
    type,
    [type]: content,
  });
}

async function conversationIdOf(waId: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const list = await apiCall(page, 'GET', `/api/v1/workspaces/${ws}/conversations`);
    const found = list.body.items.find(
      (c: { contact: { phone: string | null } }) => (c.contact.phone ?? '').replace(/\D/g, '') === waId,
    );
    if (found) return found.id;
    await page.waitForTimeout(200);
  }
  assert.fail(`no conversation with ${waId}`);
}

/** True once the image has been fetched and decoded (a broken image has no natural width). */
async function imageShown(p: Page, selector: string) {
  await p.waitForFunction(
    (css) => {
      const img = document.querySelector<HTMLImageElement>(css);
      return Boolean(img?.complete && img.naturalWidth > 0);
    },
    selector,
    { timeout: 20_000 },
  );
}

describe('inbox: media, search, typing and presence (embedded mode, real browser)', () => {
  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [platform, browser] = await Promise.all([startPlatform(), launchBrowser()]);
    const context = await browser.newContext({
      baseURL: platform.url,
      viewport: { width: 1440, height: 900 },
    });
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await platform?.stop();
  });

  test('set up: a workspace with a number, two customers and an invited agent', async () => {
    ({ ws, phoneNumberId } = await signUpAndConnect(page, {
      name: 'Olivia Owner',
      email: emails.owner,
      business: 'Acme Bakery',
    }));
    for (const customer of [meera, kiran]) {
      await sim('POST', '/_sim/customers', { wa_id: customer.waId, name: customer.name });
    }
    const invited = await apiCall(page, 'POST', `/api/v1/workspaces/${ws}/invitations`, {
      email: emails.alice,
      role: 'agent',
    });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    await page.getByRole('link', { name: 'Inbox' }).click();
    await visible(page, 'No conversations here');
  });

  test("a customer's image shows in the bubble and a document downloads", async () => {
    await customerSends(meera.waId, 'image', {
      data_base64: PNG.toString('base64'),
      mime_type: 'image/png',
      caption: 'The cake we got',
    });
    await customerSends(meera.waId, 'document', {
      data_base64: Buffer.from('%PDF-1.4\n% menu\n').toString('base64'),
      mime_type: 'application/pdf',
      filename: 'menu.pdf',
    });
    conversationOf.set(meera.waId, await conversationIdOf(meera.waId));
    await page.locator('.conv-row', { hasText: meera.name }).click();
    await page.locator('.thread .type-image', { hasText: 'The cake we got' }).waitFor();
    // Served by the platform once copied from Meta (the thread re-reads while the copy is pending).
    await imageShown(page, '.is-in .type-image img');

    const download = page
      .locator('.type-document', { hasText: 'menu.pdf' })
      .getByRole('link', { name: /Download/ });
    await download.waitFor({ timeout: 20_000 });
    const href = (await download.getAttribute('href')) ?? '';
    assert.match(href, /\/messages\/[^/]+\/media$/);
    const file = await page.evaluate(async (url) => {
      const response = await fetch(url);
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        disposition: response.headers.get('content-disposition'),
        text: await response.text(),
      };
    }, href);
    assert.equal(file.status, 200);
    assert.equal(file.type, 'application/pdf');
    assert.match(file.disposition ?? '', /^attachment;.*menu\.pdf/);
    assert.match(file.text, /^%PDF-1\.4/);
  });

  test("a file from the agent's computer is uploaded, sent and shown", async () => {
    await page.getByRole('button', { name: 'Attach file' }).click();
    await page
      .getByLabel('File (image, video, audio or document)')
      .setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: PNG });
    await page.getByLabel('Caption (optional)').fill('Your receipt');
    await page.getByRole('button', { name: 'Send file' }).click();
    await page.locator('.is-out .type-image', { hasText: 'Your receipt' }).waitFor();
    await imageShown(page, '.is-out .type-image img');

    let received: { image?: { id?: string; caption?: string } } | undefined;
    for (let i = 0; i < 100 && !received; i++) {
      const phone = await sim('GET', `/_sim/customers/${meera.waId}/messages`);
      received = phone.received.find((m: { type: string }) => m.type === 'image');
      if (!received) await page.waitForTimeout(200);
    }
    assert.equal(received?.image?.caption, 'Your receipt');
    assert.ok(received?.image?.id, 'sent by the id of the uploaded media');
    // The composer is back to writing.
    await page.getByLabel('Message').waitFor();
  });

  test('search finds messages and contacts and opens their conversation', async () => {
    await customerSends(kiran.waId, 'text', { body: 'Do you deliver to Indiranagar today?' });
    conversationOf.set(kiran.waId, await conversationIdOf(kiran.waId));
    const search = page.getByLabel('Search the inbox');

    await search.fill('Indiranagar');
    const messages = page.getByRole('region', { name: /Search results/ }).getByLabel('Messages');
    const hit = messages.locator('.search-hit', { hasText: kiran.name });
    await hit.waitFor();
    assert.equal(await hit.locator('mark').first().textContent(), 'Indiranagar');
    await hit.click();
    await page.waitForURL(`**/inbox/${conversationOf.get(kiran.waId)}*`);
    await page.locator('.thread p.bubble-text', { hasText: 'deliver to Indiranagar' }).waitFor();

    await search.fill('Meera');
    const contacts = page.getByRole('region', { name: /Search results/ }).getByLabel('Contacts');
    await contacts.locator('.search-hit', { hasText: meera.name }).click();
    await page.waitForURL(`**/inbox/${conversationOf.get(meera.waId)}*`);
    await search.press('Escape');
    await page.locator('.conv-row', { hasText: kiran.name }).waitFor();
  });

  test('members see who is typing and who is away; agents search only their conversations', async () => {
    const meeraConversation = conversationOf.get(meera.waId) ?? '';
    const alice = await joinAs(platform, browser, emails.alice, 'Alice Agent');
    const aliceId = (await apiCall(alice.page, 'GET', '/api/v1/auth/me')).body.user.id;
    const assigned = await apiCall(
      page,
      'POST',
      `/api/v1/workspaces/${ws}/conversations/${meeraConversation}/assign`,
      {
        assigneeId: aliceId,
      },
    );
    assert.equal(assigned.status, 200, JSON.stringify(assigned.body));

    await alice.page.locator('.conv-row', { hasText: meera.name }).click();
    await alice.page.getByLabel('Message').fill('Let me check the delivery slots');
    await visible(page, 'Alice Agent is typing…');

    // The owner sees Alice online in the team list and next to her name on the conversation.
    await page.locator('.team-menu summary').click();
    const aliceRow = page
      .getByRole('list', { name: 'Team presence' })
      .locator('li', { hasText: 'Alice Agent' });
    await aliceRow.locator('.muted', { hasText: 'Online' }).waitFor();
    await page.locator('.conv-row', { hasText: meera.name }).locator('.presence-online').waitFor();

    await alice.page.getByRole('button', { name: /Your status: Online/ }).click();
    await alice.page.getByRole('button', { name: /Your status: Away/ }).waitFor();
    await aliceRow.locator('.muted', { hasText: 'Away' }).waitFor();
    await page.locator('.conv-row', { hasText: meera.name }).locator('.presence-away').waitFor();
    await screenshot(page, 'inbox-presence');

    // Kiran's conversation is not Alice's: search does not reveal it.
    await alice.page.getByLabel('Search the inbox').fill('Indiranagar');
    await alice.page
      .getByRole('region', { name: /Search results/ })
      .getByText('No messages match.')
      .waitFor();
    await alice.context.close();
  });

  test('"waiting longest" lists only customers waiting for a reply, oldest first', async () => {
    await page.locator('.team-menu summary').click();
    await page.getByLabel('Sort').selectOption('waiting_longest');
    await page.waitForURL(/sort=waiting_longest/);
    await page.locator('.conv-row', { hasText: kiran.name }).waitFor();
    // Meera's last message is our file: she is not waiting.
    assert.equal(await page.locator('.conv-row', { hasText: meera.name }).count(), 0);
  });
});
