import { after, before, test } from 'node:test';
import { type AccessFixture, assertRouteAccess } from '../../helpers/access.js';
import type { TestApp } from '../../helpers/app.js';
import { createInboxAccessApp, seedConversation, workspaceChannel } from '../conversations/fixtures.js';

let t: TestApp;
let fx: AccessFixture;
const base = '/api/v1/workspaces/:workspaceId/contacts';
const one = `${base}/:contactId`;

before(async () => {
  // Agents see contacts of the conversations they see: here the unassigned ones.
  ({ t, fx } = await createInboxAccessApp());
});
after(() => t.close());

/** A fresh contact with an unassigned conversation in the given workspace, for every attempt. */
async function freshContact(workspaceId: string) {
  const row = await seedConversation(t, workspaceId, { channelId: await workspaceChannel(t, workspaceId) });
  return { contactId: row.contactId };
}

let phone = 9_845_000_000;
function newPhone() {
  phone += 1;
  return `+91 ${phone}`;
}

test('reading contacts: every role may call, other workspaces get 404', async () => {
  await assertRouteAccess(t, fx, { method: 'GET', path: base });
  await assertRouteAccess(t, fx, { method: 'GET', path: `${base}/tags` });
  await assertRouteAccess(t, fx, { method: 'GET', path: one, params: freshContact });
});

test('changing contacts: staff create, update and opt out/in; leads delete and export', async () => {
  await assertRouteAccess(t, fx, { method: 'POST', path: base, body: () => ({ phone: newPhone() }) });
  await assertRouteAccess(t, fx, {
    method: 'PATCH',
    path: one,
    params: freshContact,
    body: () => ({ tags: ['vip'] }),
  });
  await assertRouteAccess(t, fx, { method: 'DELETE', path: one, params: freshContact });
  for (const action of ['opt-out', 'opt-in']) {
    await assertRouteAccess(t, fx, {
      method: 'POST',
      path: `${one}/${action}`,
      params: freshContact,
      body: () => ({ reason: 'asked on the phone' }),
    });
  }
  await assertRouteAccess(t, fx, { method: 'GET', path: `${base}/export` });
});

test('opt-out settings: everyone reads, leads change', async () => {
  const path = '/api/v1/workspaces/:workspaceId/opt-out-settings';
  await assertRouteAccess(t, fx, { method: 'GET', path });
  await assertRouteAccess(t, fx, {
    method: 'PUT',
    path,
    body: () => ({
      stopKeywords: ['ROKO'],
      startKeywords: [],
      stopReply: 'Done, no more messages.',
      startReply: 'Welcome back.',
      sendConfirmation: true,
    }),
  });
});
