import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, type RunningPlatform, screenshot, screenshotDir, startPlatform } from './harness';

// One platform and browser for the whole story; the steps run in order and share the owner's session.
let platform: RunningPlatform;
let browser: Browser;
let owner: BrowserContext;
let page: Page;

const stamp = Date.now().toString(36);
const ownerEmail = `owner-${stamp}@example.com`;
const viewerEmail = `viewer-${stamp}@example.com`;
const password = 'correct horse battery';

async function expectVisible(page: Page, text: string | RegExp) {
  await page.getByText(text).first().waitFor({ state: 'visible', timeout: 20_000 });
}

describe('web app (embedded mode, real browser)', () => {
  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [platform, browser] = await Promise.all([startPlatform(), launchBrowser()]);
    owner = await browser.newContext({ baseURL: platform.url, viewport: { width: 1280, height: 800 } });
    page = await owner.newPage();
  });

  after(async () => {
    await browser?.close();
    await platform?.stop();
  });

  test('sign up shows server validation next to the field, then lands in the app', async () => {
    await page.goto('/');
    await page.waitForURL('**/login?next=*');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill('Olivia Owner');
    await page.getByLabel('Work email').fill(ownerEmail);
    await page.getByLabel('Password').fill('short');
    await page.getByLabel('Business name').fill('Acme Bakery');
    await page.getByRole('button', { name: 'Create account' }).click();
    const passwordError = page.getByText('Must be at least 10 characters');
    await passwordError.waitFor();
    assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'signup-validation');

    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/w/*/inbox');
    await expectVisible(page, 'No conversations here');
    assert.equal(
      await page
        .getByLabel('Workspace')
        .inputValue()
        .then((v) => v.startsWith('ws_')),
      true,
    );
    await screenshot(page, 'inbox-empty');
  });

  test('the owner invites a member', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL('**/settings/members');
    await expectVisible(page, 'Olivia Owner');
    await page.getByRole('button', { name: 'Invite member' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite a teammate' });
    await dialog.getByLabel('Email').fill(viewerEmail);
    await dialog.getByLabel('Role').selectOption('viewer');
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    await expectVisible(page, `Invitation sent to ${viewerEmail}`);
    await page.getByRole('cell', { name: viewerEmail, exact: true }).waitFor();
    await screenshot(page, 'settings-members');
  });

  test('the owner creates an API key, shown once', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await expectVisible(page, 'No API keys yet');
    await page.getByRole('button', { name: 'Create API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API key' });
    await dialog.getByLabel('Name').fill('CRM sync');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    const key = await shown.getByLabel(/API key for/).inputValue();
    assert.ok(key.length > 20, `a full key is shown (${key.length} chars)`);
    await screenshot(page, 'settings-api-key-created');
    await shown.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: /CRM sync/ });
    await row.waitFor();
    assert.ok(!(await page.content()).includes(key), 'the secret is gone from the page after closing');
    await screenshot(page, 'settings-api-keys');
  });

  test('the plan page shows limits and usage', async () => {
    await page.getByRole('link', { name: 'Plan' }).click();
    await expectVisible(page, 'Free plan');
    await expectVisible(page, '1 of 5');
    await expectVisible(page, 'Plans are changed by the platform operator');
    assert.equal(await page.getByRole('button', { name: 'Switch plan' }).count(), 0);
    await screenshot(page, 'settings-plan');
  });

  test('the audit log shows those actions and filters them', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await expectVisible(page, 'Created an API key');
    await expectVisible(page, 'Invited someone');
    const exportLink = page.getByRole('link', { name: 'Export CSV' });
    assert.match((await exportLink.getAttribute('href')) ?? '', /\/audit-log\/export$/);
    await screenshot(page, 'audit-log');

    await page.getByLabel('Action').fill('api_key.*');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/action=api_key/);
    await expectVisible(page, 'Created an API key');
    assert.equal(await page.getByText('Invited someone').count(), 0);
    await page.getByRole('button', { name: 'Details' }).first().click();
    await expectVisible(page, 'Request id');
  });

  test('log out, then log in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await page.getByLabel('Email').fill(ownerEmail);
    await page.getByLabel('Password').fill('wrong password!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectVisible(page, 'The email or password is not correct');
    await screenshot(page, 'login-error');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/w/*/inbox');
    await expectVisible(page, 'Olivia Owner');
  });

  test('an invited Viewer joins and does not see invite or create buttons', async () => {
    const mail = await platform.mailTo('invitation', viewerEmail);
    const context = await browser.newContext({
      baseURL: platform.url,
      viewport: { width: 390, height: 844 },
    });
    const phone = await context.newPage();
    await phone.goto(new URL(mail.link).pathname + new URL(mail.link).search);
    await phone.getByRole('link', { name: 'Create an account' }).click();
    await phone.getByLabel('Your name').fill('Victor Viewer');
    await phone.getByLabel('Work email').fill(viewerEmail);
    await phone.getByLabel('Password').fill(password);
    assert.equal(await phone.getByLabel('Business name').count(), 0);
    await phone.getByRole('button', { name: 'Create account' }).click();
    await phone.waitForURL('**/w/*/inbox');

    await phone.getByRole('button', { name: 'Open navigation' }).click();
    await phone.waitForTimeout(300); // the drawer slides in
    await screenshot(phone, 'phone-navigation');
    await phone.keyboard.press('Escape');
    await phone.waitForTimeout(300);
    await screenshot(phone, 'phone-inbox');
    await phone.getByRole('button', { name: 'Open navigation' }).click();
    assert.equal(await phone.getByRole('link', { name: 'Audit log' }).count(), 0);
    await phone.getByRole('link', { name: 'Settings' }).click();
    await expectVisible(phone, 'Olivia Owner');
    assert.equal(await phone.getByRole('button', { name: 'Invite member' }).count(), 0);
    assert.equal(await phone.getByRole('link', { name: 'API keys' }).count(), 0);
    assert.equal(await phone.getByRole('combobox', { name: /Role of/ }).count(), 0);
    await screenshot(phone, 'phone-members-viewer');

    await phone.goto(phone.url().replace(/members$/, 'api-keys'));
    await expectVisible(phone, 'API keys are managed by Owners and Managers');
    assert.equal(await phone.getByRole('button', { name: 'Create API key' }).count(), 0);
    await context.close();
  });

  test('forgot password: the emailed link sets a new password', async () => {
    const context = await browser.newContext({ baseURL: platform.url });
    const guest = await context.newPage();
    await guest.goto('/login');
    await guest.getByRole('link', { name: 'Forgot your password?' }).click();
    await guest.getByLabel('Email').fill(viewerEmail);
    await guest.getByRole('button', { name: 'Send reset link' }).click();
    await expectVisible(guest, 'Check your email');
    const mail = await platform.mailTo('password_reset', viewerEmail);
    await guest.goto(new URL(mail.link).pathname + new URL(mail.link).search);
    await guest.getByLabel('New password', { exact: true }).fill('another long secret');
    await guest.getByLabel('Repeat new password').fill('another long secret');
    await guest.getByRole('button', { name: 'Set new password' }).click();
    await expectVisible(guest, 'Password changed');
    await guest.getByRole('link', { name: 'Sign in' }).click();
    await guest.getByLabel('Email').fill(viewerEmail);
    await guest.getByLabel('Password').fill('another long secret');
    await guest.getByRole('button', { name: 'Sign in' }).click();
    await guest.waitForURL('**/w/*/inbox');
    await context.close();
  });
});
