import { after, before, test } from 'node:test';
import { type AccessFixture, assertRouteAccess, createAccessFixture } from '../../helpers/access.js';
import { allowAgentsUnassigned } from '../conversations/fixtures.js';
import { createSendWorld, createTenant, type SendWorld } from '../messages/send-world.js';
import { multipartFile, PNG, seedStoredMedia } from './fixtures.js';

let sw: SendWorld;
let fx: AccessFixture;
const channelOf = new Map<string, string>();

before(async () => {
  sw = await createSendWorld();
  fx = await createAccessFixture(sw.t);
  // Agents read unassigned conversations here, so every role that may read conversations gets the file.
  await allowAgentsUnassigned(sw.t, fx.workspaceId, true);
  for (const workspaceId of [fx.workspaceId, fx.other.workspaceId]) {
    channelOf.set(workspaceId, (await createTenant(sw, { workspaceId })).channelId);
  }
});
after(() => sw.close());

test("GET a message's media: cross-workspace 404 and per-role checks", async () => {
  await assertRouteAccess(sw.t, fx, {
    method: 'GET',
    path: '/api/v1/workspaces/:workspaceId/messages/:messageId/media',
    params: async (workspaceId) => ({ messageId: (await seedStoredMedia(sw.t, workspaceId)).id }),
  });
});

test('POST media upload: cross-workspace 404 and per-role checks', async () => {
  const upload = await multipartFile(PNG, 'image/png', 'photo.png');
  await assertRouteAccess(sw.t, fx, {
    method: 'POST',
    path: '/api/v1/workspaces/:workspaceId/channels/:channelId/media',
    params: (workspaceId) => ({ channelId: channelOf.get(workspaceId)! }),
    headers: upload.headers,
    body: () => upload.payload,
  });
});
