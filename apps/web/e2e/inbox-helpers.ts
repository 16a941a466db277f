import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { type RunningPlatform, sessionApi } from './harness';

/** Steps shared by the inbox's browser tests (inbox.test.ts, inbox-more.test.ts). */

export const PASSWORD = 'correct horse battery';

export async function visible(p: Page, text: string | RegExp, timeout = 20_000) {
  await p.getByText(text).first().waitFor({ state: 'visible', timeout });
}

/** Calls the platform's API from the page, as the signed-in user (session cookie and CSRF token). */
export const apiCall = sessionApi;

/** The simulator's control API: what Meta and the customer's phone would do. */
export async function simCall(
  platform: RunningPlatform,
  method: string,
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: test reads arbitrary JSON answers
): Promise<any> {
  const response = await fetch(`${platform.simUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * Signs up the owner of a new workspace and connects a WhatsApp number from the Channels page (in
 * embedded mode the simulator stands in for Meta's popup); ends on the inbox.
 */
export async function signUpAndConnect(
  page: Page,
  owner: { name: string; email: string; business: string },
): Promise<{ ws: string; channelId: string; phoneNumberId: string }> {
  await page.goto('/signup');
  await page.getByLabel('Your name').fill(owner.name);
  await page.getByLabel('Work email').fill(owner.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Business name').fill(owner.business);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/w/*/inbox');
  const ws = new URL(page.url()).pathname.split('/')[2] ?? '';
  await visible(page, 'No conversations here');

  await page.getByRole('link', { name: 'Channels' }).click();
  await page.getByRole('button', { name: 'Connect WhatsApp' }).click();
  const dialog = page.getByRole('dialog', { name: 'Connect WhatsApp' });
  const standIn = dialog.getByRole('form', { name: 'Simulated Meta sign-up' });
  await standIn.getByLabel('Phone number').fill('+1 555-010-0100');
  await standIn.getByRole('button', { name: 'Finish sign-up' }).click();
  await dialog.getByText('is connected and ready to send and receive messages').waitFor({ timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Done' }).click();
  const channels = await apiCall(page, 'GET', `/api/v1/workspaces/${ws}/channels`);
  assert.equal(channels.body.items.length, 1);
  return { ws, channelId: channels.body.items[0].id, phoneNumberId: channels.body.items[0].phoneNumberId };
}

/** Accepts an emailed invitation by creating an account, in a browser context of its own. */
export async function joinAs(
  platform: RunningPlatform,
  browser: Browser,
  email: string,
  name: string,
  viewport = { width: 1280, height: 800 },
) {
  const mail = await platform.mailTo('invitation', email);
  const context = await browser.newContext({ baseURL: platform.url, viewport });
  const p = await context.newPage();
  await p.goto(new URL(mail.link).pathname + new URL(mail.link).search);
  await p.getByRole('link', { name: 'Create an account' }).click();
  await p.getByLabel('Your name').fill(name);
  await p.getByLabel('Work email').fill(email);
  await p.getByLabel('Password').fill(PASSWORD);
  await p.getByRole('button', { name: 'Create account' }).click();
  await p.waitForURL('**/w/*/inbox');
  return { context, page: p };
}
