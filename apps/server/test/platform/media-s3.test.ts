import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { s3MediaStore } from '../../src/platform/media-s3.js';
import { createTestApp } from '../helpers/app.js';
import { type S3StandIn, startS3StandIn } from '../helpers/s3-stand-in.js';

let s3: S3StandIn;
before(async () => {
  s3 = await startS3StandIn(['owaba-media']);
});
after(async () => {
  await s3.close();
});

const options = () => ({
  bucket: 'owaba-media',
  prefix: 'media/',
  region: 'eu-west-1',
  endpoint: s3.url,
  forcePathStyle: true,
});

test('media round-trips through the bucket under the prefix; a missing key reads as null', async () => {
  const store = s3MediaStore(options());
  const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
  await store.put('ws_1/in/msg_1.jpg', bytes);
  assert.deepEqual(s3.objects.get('owaba-media/media/ws_1/in/msg_1.jpg'), Buffer.from(bytes));
  assert.deepEqual(await store.get('ws_1/in/msg_1.jpg'), bytes);
  assert.equal(await store.get('ws_1/in/none.jpg'), null);
  await store.delete('ws_1/in/msg_1.jpg');
  assert.equal(await store.get('ws_1/in/msg_1.jpg'), null);
  await store.delete('ws_1/in/msg_1.jpg'); // deleting again is not an error
});

test('an unsafe key is refused before any request; a missing bucket is an error, not "no such file"', async () => {
  const store = s3MediaStore(options());
  const before = s3.requests.length;
  await assert.rejects(store.put('../etc/passwd', new Uint8Array([1])), /unsafe media key/);
  assert.equal(s3.requests.length, before);
  const wrongBucket = s3MediaStore({ ...options(), bucket: 'nobody-s-bucket' });
  await assert.rejects(wrongBucket.get('ws_1/x.jpg'), (error: Error) => error.name === 'NoSuchBucket');
});

test('MEDIA_STORE=s3 needs a bucket and a region, and the platform then keeps its media there', async () => {
  assert.throws(
    () => loadConfig({ MEDIA_STORE: 's3' }),
    (error: unknown) =>
      error instanceof ConfigError &&
      /MEDIA_S3_BUCKET/.test(error.message) &&
      /AWS_REGION/.test(error.message),
  );
  const t = await createTestApp({
    modules: [],
    env: {
      MEDIA_STORE: 's3',
      MEDIA_S3_BUCKET: 'owaba-media',
      MEDIA_S3_PREFIX: 'tenant-files/',
      MEDIA_S3_ENDPOINT: s3.url,
      MEDIA_S3_FORCE_PATH_STYLE: 'true',
      AWS_REGION: 'eu-west-1',
    },
  });
  try {
    await t.platform.media.put('ws_2/out/doc.pdf', new Uint8Array([37, 80, 68, 70]));
    assert.ok(s3.objects.has('owaba-media/tenant-files/ws_2/out/doc.pdf'));
    assert.deepEqual(await t.platform.media.get('ws_2/out/doc.pdf'), new Uint8Array([37, 80, 68, 70]));
  } finally {
    await t.close();
  }
});
