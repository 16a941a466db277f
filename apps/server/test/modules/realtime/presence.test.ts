import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { memoryPresence, type PresenceStore, redisPresence } from '../../../src/modules/realtime/presence.js';

const stores: [string, () => PresenceStore][] = [['memory', memoryPresence]];
let redis: Redis | undefined;
if (process.env.REDIS_URL) {
  const connection = new Redis(process.env.REDIS_URL);
  redis = connection;
  stores.push([
    'redis',
    () =>
      redisPresence(connection, `t${randomBytes(5).toString('hex')}`, (error) => {
        throw error;
      }),
  ]);
}
after(() => redis?.disconnect());

for (const [kind, create] of stores) {
  describe(`presence (${kind})`, () => {
    test('a user is online from their first connection until their last one closes', async () => {
      const store = create();
      const first = await store.open('ws_a', 'usr_1');
      assert.equal(first.cameOnline, true);
      const second = await store.open('ws_a', 'usr_1');
      assert.equal(second.cameOnline, false);
      assert.deepEqual([...(await store.list('ws_a'))], [['usr_1', 'online']]);
      assert.equal((await store.list('ws_b')).size, 0);

      assert.equal(await first.lease.release(), false);
      assert.equal(await first.lease.release(), false, 'releasing twice changes nothing');
      assert.deepEqual([...(await store.list('ws_a'))], [['usr_1', 'online']]);
      assert.equal(await second.lease.release(), true);
      assert.equal((await store.list('ws_a')).size, 0);
    });

    test('away is kept across reconnects until the user sets online again', async () => {
      const store = create();
      await store.setAway('ws_a', 'usr_2', true);
      const { lease } = await store.open('ws_a', 'usr_2');
      await store.open('ws_a', 'usr_3');
      assert.deepEqual(
        new Map(await store.list('ws_a')),
        new Map([
          ['usr_2', 'away'],
          ['usr_3', 'online'],
        ]),
      );
      await lease.release();
      const again = await store.open('ws_a', 'usr_2');
      assert.equal((await store.list('ws_a')).get('usr_2'), 'away');
      await store.setAway('ws_a', 'usr_2', false);
      assert.equal((await store.list('ws_a')).get('usr_2'), 'online');
      await again.lease.release();
    });
  });
}

if (redis) {
  const connection = redis;
  test('a lease that its process stopped renewing expires (a crashed server)', async () => {
    const prefix = `t${randomBytes(5).toString('hex')}`;
    const store = redisPresence(connection, prefix, () => {});
    await store.open('ws_c', 'usr_9');
    assert.equal((await store.list('ws_c')).get('usr_9'), 'online');
    // What a crashed process leaves behind: the lease with its last expiry, which has now passed.
    const key = `${prefix}:rt:{ws_c}:presence`;
    const [member] = await connection.zrange(key, '0', '-1');
    await connection.zadd(key, String(Date.now() - 1), member as string);
    assert.equal((await store.list('ws_c')).size, 0);
    const reopened = await redisPresence(connection, prefix, () => {}).open('ws_c', 'usr_9');
    assert.equal(reopened.cameOnline, true, 'the expired lease does not count');
  });
}
