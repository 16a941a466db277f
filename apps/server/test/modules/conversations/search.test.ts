import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { z } from 'zod';
import type { searchResult } from '../../../src/modules/conversations/inbox.schemas.js';
import { prefixQuery } from '../../../src/modules/conversations/search.js';
import { type AccessFixture, type Caller, createAccessFixture } from '../../helpers/access.js';
import { createTestApp, json, type TestApp } from '../../helpers/app.js';
import { allowAgentsUnassigned, hoursAgo, seedChannel, seedConversation, seedMessage } from './fixtures.js';

type Result = z.infer<typeof searchResult>;
type Hit = Result['items'][number];

let t: TestApp;
let fx: AccessFixture;
const ids: Record<string, string> = {};

before(async () => {
  t = await createTestApp({ worker: false });
  fx = await createAccessFixture(t);
  const channelId = await seedChannel(t, fx.workspaceId);
  const mine = await seedConversation(t, fx.workspaceId, {
    channelId,
    name: 'Ravi Kumar',
    assigneeId: fx.members.agent.userId,
  });
  const theirs = await seedConversation(t, fx.workspaceId, {
    channelId,
    name: 'Ravina Tandon',
    assigneeId: fx.members.manager.userId,
  });
  const nobodys = await seedConversation(t, fx.workspaceId, { channelId, name: 'Meera Nair' });
  const say = async (conversation: typeof mine, preview: string, hours: number) =>
    (await seedMessage(t, conversation, { direction: 'inbound', occurredAt: hoursAgo(hours), preview })).id;
  ids.hindi = await say(mine, 'नमस्ते, मेरा ऑर्डर कहाँ है?', 5);
  ids.hinglish = await say(mine, 'Bhai order kab aayega? 2 din ho gaye', 4);
  ids.refundMine = await say(mine, 'I want a refund for order 4411', 3);
  ids.refundTheirs = await say(theirs, 'Refund please, the order was damaged', 2);
  ids.refundNobody = await say(nobodys, 'refund status?', 1);
  ids.mine = mine.id;
  ids.theirs = theirs.id;
  ids.nobodys = nobodys.id;
  // Another workspace's matching message never shows.
  const otherChannel = await seedChannel(t, fx.other.workspaceId);
  const foreign = await seedConversation(t, fx.other.workspaceId, {
    channelId: otherChannel,
    name: 'Ravi Other',
  });
  await seedMessage(t, foreign, { direction: 'inbound', occurredAt: hoursAgo(1), preview: 'refund refund' });
});
after(() => t.close());

async function search(query: string, caller: Caller = fx.members.owner): Promise<Result> {
  const res = await t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${fx.workspaceId}/search?${query}`,
    headers: caller.headers,
  });
  assert.equal(res.statusCode, 200, res.body);
  return json<Result>(res);
}
const messageIds = (result: Result) => result.items.map((hit) => ('messageId' in hit ? hit.messageId : null));

test('messages: Hindi and Hinglish words match as typed, newest first, with a snippet', async () => {
  const hindi = await search(`q=${encodeURIComponent('ऑर्डर कहाँ')}`);
  assert.deepEqual(messageIds(hindi), [ids.hindi]);
  const hinglish = await search('q=kab+aayega');
  assert.deepEqual(messageIds(hinglish), [ids.hinglish]);
  const refunds = await search('q=REFUND');
  assert.deepEqual(messageIds(refunds), [ids.refundNobody, ids.refundTheirs, ids.refundMine]);
  const hit = refunds.items[2] as Extract<Hit, { messageId: string }>;
  assert.equal(hit.conversationId, ids.mine);
  assert.equal(hit.contact.name, 'Ravi Kumar');
  assert.match(hit.snippet, /«refund»/);
  const excluded = await search(`q=${encodeURIComponent('refund -damaged')}`);
  assert.deepEqual(messageIds(excluded), [ids.refundNobody, ids.refundMine]);
});

test('messages: only conversations the caller may see', async () => {
  assert.deepEqual(messageIds(await search('q=refund', fx.members.agent)), [ids.refundMine]);
  await allowAgentsUnassigned(t, fx.workspaceId, true);
  assert.deepEqual(messageIds(await search('q=refund', fx.members.agent)), [
    ids.refundNobody,
    ids.refundMine,
  ]);
  await allowAgentsUnassigned(t, fx.workspaceId, false);
  assert.equal((await search('q=refund', fx.members.viewer)).items.length, 3);
  // An Agent-role API key has nobody assigned to it.
  assert.equal((await search('q=refund', fx.keys.agent)).items.length, 0);
});

test('messages: cursor paging without gaps; a foreign cursor is refused', async () => {
  const first = await search('q=refund&limit=2');
  assert.equal(first.items.length, 2);
  assert.ok(first.nextCursor);
  const second = await search(`q=refund&limit=2&cursor=${first.nextCursor}`);
  assert.deepEqual(
    [...messageIds(first), ...messageIds(second)],
    [ids.refundNobody, ids.refundTheirs, ids.refundMine],
  );
  assert.equal(second.nextCursor, null);
  const res = await t.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${fx.workspaceId}/search?q=ravi&type=contacts&cursor=${first.nextCursor}`,
    headers: fx.members.owner.headers,
  });
  assert.equal(res.statusCode, 400);
});

test('contacts: word prefixes of name and number, within visibility, with their conversation', async () => {
  const ravi = await search('q=rav&type=contacts');
  assert.deepEqual(ravi.items.map((hit) => ('name' in hit ? hit.name : null)).sort(), [
    'Ravi Kumar',
    'Ravina Tandon',
  ]);
  const agentView = await search('q=rav&type=contacts', fx.members.agent);
  assert.deepEqual(agentView.items, [
    {
      contactId: (agentView.items[0] as { contactId: string }).contactId,
      name: 'Ravi Kumar',
      phone: (agentView.items[0] as { phone: string }).phone,
      conversationId: ids.mine,
    },
  ]);
  const phone = (agentView.items[0] as { phone: string }).phone;
  const byNumber = await search(`q=${encodeURIComponent(phone.slice(0, 8))}&type=contacts`, fx.members.agent);
  assert.equal(byNumber.items.length, 1, 'the start of the number finds the contact');
  assert.equal((await search('q=meera+nair&type=contacts')).items.length, 1);
  assert.equal((await search('q=meera+kumar&type=contacts')).items.length, 0, 'every word must match');
  assert.equal((await search(`q=${encodeURIComponent("'&|")}&type=contacts`)).items.length, 0);
});

test('prefix queries drop tsquery syntax', () => {
  assert.equal(prefixQuery("Ravi's (order) +91-98"), "'Ravi':* & 's':* & 'order':* & '91':* & '98':*");
  assert.equal(prefixQuery(' :* & '), null);
});
