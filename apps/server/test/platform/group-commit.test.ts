import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit } from '../../src/platform/db/group-commit.js';

/** A batch runner that records its batches and answers each item doubled, after a short await. */
function recorder() {
  const batches: number[][] = [];
  const run = async (items: number[]) => {
    batches.push(items);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return items.map((item) => item * 2);
  };
  return { batches, run };
}

test('without a linger, the first item goes alone and the items arriving meanwhile go together', async () => {
  const { batches, run } = recorder();
  const commits = new GroupCommit(run);
  const results = await Promise.all([1, 2, 3].map((item) => commits.submit(item)));
  assert.deepEqual(results, [2, 4, 6]);
  assert.deepEqual(batches, [[1], [2, 3]]);
});

test('a linger gathers the items of its window into one batch, and the next window starts afresh', async () => {
  const { batches, run } = recorder();
  const commits = new GroupCommit(run, { lingerMs: 20 });
  const first = commits.submit(1);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const second = commits.submit(2);
  assert.deepEqual(batches, [], 'nothing runs before the linger ends');
  assert.deepEqual(await Promise.all([first, second]), [2, 4]);
  assert.deepEqual(batches, [[1, 2]]);

  assert.equal(await commits.submit(3), 6);
  assert.deepEqual(batches, [[1, 2], [3]]);
});

test('batches are capped at maxBatch, and a failing batch rejects only its own callers', async () => {
  const batches: number[][] = [];
  const commits = new GroupCommit(
    async (items: number[]) => {
      batches.push(items);
      if (items.includes(3)) throw new Error('batch with 3 failed');
      return items;
    },
    { maxBatch: 2, lingerMs: 1 },
  );
  const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map((item) => commits.submit(item)));
  assert.deepEqual(batches, [[1, 2], [3, 4], [5]]);
  assert.deepEqual(
    outcomes.map((outcome) => outcome.status),
    ['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled'],
  );
});
