import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idPrefixes, isId, newId } from '../../src/platform/ids.js';

test('ids carry their prefix and a 26-character body', () => {
  const id = newId('workspace');
  assert.match(id, /^ws_[0-9a-hjkmnp-tv-z]{26}$/);
  assert.ok(isId('workspace', id));
  assert.ok(!isId('user', id));
  assert.ok(!isId('workspace', 'ws_short'));
});

test('ids sort by creation time and do not collide', () => {
  const earlier = newId('message', 1_700_000_000_000);
  const later = newId('message', 1_700_000_000_001);
  assert.ok(earlier < later);
  const many = new Set(Array.from({ length: 10_000 }, () => newId('message')));
  assert.equal(many.size, 10_000);
});

test('every prefix is unique', () => {
  const values = Object.values(idPrefixes);
  assert.equal(new Set(values).size, values.length);
});
