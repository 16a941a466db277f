import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, type RunningPlatform, screenshot, screenshotDir, startPlatform } from './harness';

// One platform and one signed-in owner; the steps run in order on the same page.
let platform: RunningPlatform;
let browser: Browser;
let page: Page;

const stamp = Date.now().toString(36);

async function expectVisible(target: Page, text: string | RegExp) {
  await target.getByText(text).first().waitFor({ state: 'visible', timeout: 20_000 });
}

async function addContact(phone: string, name: string) {
  await page.getByRole('button', { name: 'Add contact' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a contact' });
  await dialog.getByLabel('Phone number').fill(phone);
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByRole('button', { name: 'Add contact' }).click();
  await expectVisible(page, `${name} added`);
}

describe('contacts and opt-out settings (embedded mode, real browser)', () => {
  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [platform, browser] = await Promise.all([startPlatform(), launchBrowser()]);
    const context = await browser.newContext({
      baseURL: platform.url,
      viewport: { width: 1280, height: 800 },
    });
    page = await context.newPage();
    await page.goto('/signup');
    await page.getByLabel('Your name').fill('Carla Contacts');
    await page.getByLabel('Work email').fill(`carla-${stamp}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByLabel('Business name').fill('Masala House');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/w/*/inbox');
  });

  after(async () => {
    await browser?.close();
    await platform?.stop();
  });

  test('create contacts, with the number checked by the server', async () => {
    await page.getByRole('link', { name: 'Contacts' }).click();
    await page.waitForURL('**/w/*/contacts');
    await expectVisible(page, 'No contacts yet');

    await page.getByRole('button', { name: 'Add contact' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a contact' });
    await dialog.getByLabel('Phone number').fill('12345');
    await dialog.getByRole('button', { name: 'Add contact' }).click();
    await expectVisible(page, /Not a valid phone number/);
    assert.equal(await dialog.getByLabel('Phone number').getAttribute('aria-invalid'), 'true');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await addContact('+91 98765 43210', 'Meera Iyer');
    // The new contact opens beside the list.
    await page.getByRole('heading', { name: 'Meera Iyer' }).waitFor();
    await expectVisible(page, '+919876543210');
    await addContact('+91 99887 76655', 'Rahul Verma');
    await page.getByRole('link', { name: 'Rahul Verma' }).waitFor();
  });

  test('search finds a contact by name prefix and by number', async () => {
    await page.getByRole('button', { name: 'Close contact' }).click();
    await page.getByLabel('Search', { exact: true }).fill('mee');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=mee/);
    await page.getByRole('link', { name: 'Meera Iyer' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Rahul Verma' }).count(), 0);

    await page.getByLabel('Search', { exact: true }).fill('+91 99887');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Rahul Verma' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Meera Iyer' }).count(), 0);
    await page.getByRole('button', { name: 'Clear' }).click();
  });

  test('tag a contact and filter the list by that tag', async () => {
    await page.getByRole('link', { name: 'Meera Iyer' }).click();
    const drawer = page.getByRole('complementary', { name: 'Meera Iyer' });
    await drawer.getByLabel('Tags', { exact: true }).fill('vip');
    await drawer.getByLabel('Tags', { exact: true }).press('Enter');
    await drawer.getByRole('button', { name: 'Add attribute' }).click();
    await drawer.getByLabel('Attribute 1 name').fill('city');
    await drawer.getByLabel('Attribute 1 value').fill('Chennai');
    await drawer.getByRole('button', { name: 'Save changes' }).click();
    await expectVisible(page, 'Contact saved');
    await page.getByRole('row', { name: /Meera Iyer.*vip/ }).waitFor();

    await page.getByLabel('Tag', { exact: true }).selectOption('vip');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/tag=vip/);
    await page.getByRole('link', { name: 'Meera Iyer' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Rahul Verma' }).count(), 0);
    await screenshot(page, 'contacts-list');
  });

  test('opt a contact out by hand and see it in the history', async () => {
    const drawer = page.getByRole('complementary', { name: 'Meera Iyer' });
    await drawer.getByRole('button', { name: 'Opt out…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Opt this contact out?' });
    await dialog.getByLabel('Reason').fill('asked by phone');
    await dialog.getByRole('button', { name: 'Opt out' }).click();
    await expectVisible(page, 'Contact opted out');
    const history = drawer.getByRole('region', { name: 'Opt-out history' });
    await history.getByText('Opted out').waitFor();
    await history.getByText(/Team member .* “asked by phone”/).waitFor();
    await drawer.getByRole('button', { name: 'Opt back in…' }).waitFor();
    await page.getByRole('row', { name: /Meera Iyer.*Opted out/ }).waitFor();
    await screenshot(page, 'contact-opted-out');

    await page.getByLabel('Opt-out', { exact: true }).selectOption('opted_out');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/optState=opted_out/);
    await page.getByRole('link', { name: 'Meera Iyer' }).waitFor();
  });

  test('set a custom STOP word in settings', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'Opt-out' }).click();
    await page.waitForURL('**/settings/opt-out');
    await page.getByLabel('Extra STOP words').fill('roko');
    await page.getByLabel('Extra STOP words').press('Enter');
    await page.getByLabel('Reply after STOP').fill('Theek hai, ab aapko message nahi aayenge.');
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(page, 'Opt-out settings saved');
    // Stored the way messages are matched: upper case.
    await page.getByRole('button', { name: 'Remove ROKO' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Remove ROKO' }).waitFor();
    assert.equal(
      await page.getByLabel('Reply after STOP').inputValue(),
      'Theek hai, ab aapko message nahi aayenge.',
    );
    await screenshot(page, 'settings-opt-out');
  });

  test('quick replies: create and edit one', async () => {
    await page.getByRole('link', { name: 'Quick replies' }).click();
    await expectVisible(page, 'No quick replies yet');
    await page.getByRole('button', { name: 'New quick reply' }).click();
    const dialog = page.getByRole('dialog', { name: 'New quick reply' });
    await dialog.getByLabel('Shortcut').fill('/thanks');
    await dialog.getByLabel('Text').fill('Thank you {{contact.name}}, see you soon!');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: '/thanks', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Edit /thanks' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit quick reply' });
    await edit.getByLabel('Text').fill('Thanks a lot, {{contact.name}}!');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expectVisible(page, 'Thanks a lot, {{contact.name}}!');
    await screenshot(page, 'settings-quick-replies');
  });
});
