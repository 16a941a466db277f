import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metaJsonStringify, signBody, verifySignature } from '../src/index.js';
import { loadFixture } from './load-fixture.js';

const SECRET = 'test-app-secret';

test('a signature made by signBody verifies against the same raw bytes only', () => {
  const body = metaJsonStringify(loadFixture('messages-every-type.json'));
  const header = signBody(body, SECRET);
  assert.match(header, /^sha256=[0-9a-f]{64}$/);
  assert.equal(verifySignature(body, header, SECRET), true);
  assert.equal(verifySignature(Buffer.from(body, 'utf8'), header, SECRET), true);
  // Re-serialising the parsed body changes the bytes (Meta escapes non-ASCII), so the HMAC no longer matches.
  assert.notEqual(JSON.stringify(JSON.parse(body)), body);
  assert.equal(verifySignature(JSON.stringify(JSON.parse(body)), header, SECRET), false);
  assert.equal(verifySignature(body, header, 'other-secret'), false);
});

test('malformed or missing signature headers are rejected', () => {
  const body = '{"object":"whatsapp_business_account","entry":[]}';
  const header = signBody(body, SECRET);
  for (const bad of [
    undefined,
    '',
    'sha256=',
    header.slice(0, -2),
    `${header}0`,
    header.replace('sha256=', 'sha1='),
    `sha256=${'z'.repeat(64)}`,
  ]) {
    assert.equal(verifySignature(body, bad, SECRET), false, String(bad));
  }
  assert.equal(verifySignature(body, header.toUpperCase().replace('SHA256=', 'sha256='), SECRET), true);
  assert.equal(verifySignature(body, signBody(body, ''), ''), false, 'an empty secret never verifies');
});

test('metaJsonStringify escapes non-ASCII and slashes like Meta', () => {
  assert.equal(
    metaJsonStringify({ t: 'olá ❤️ 😀 a/b' }),
    '{"t":"ol\\u00e1 \\u2764\\ufe0f \\ud83d\\ude00 a\\/b"}',
  );
  assert.deepEqual(JSON.parse(metaJsonStringify({ t: 'olá 😀' })), { t: 'olá 😀' });
});
