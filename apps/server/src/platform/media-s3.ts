import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';
import { assertSafeMediaKey, type MediaStore } from './media-store.js';

/**
 * Media in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, Ceph …): what several servers and
 * workers on different hosts need, since each must read what another stored. Objects are private;
 * the platform serves them to members through its own routes, never by bucket URL. Credentials come
 * from the SDK's default provider chain (environment, shared config, container or instance role).
 */
export function s3MediaStore(options: Config['media']['s3']): MediaStore {
  const { bucket, prefix } = options;
  if (!bucket) throw new Error('MEDIA_S3_BUCKET is required with MEDIA_STORE=s3');
  // Loaded on first use: installations on local disk never pay the SDK's start-up time.
  let connection: Promise<{ sdk: typeof import('@aws-sdk/client-s3'); client: S3Client }> | undefined;
  const connect = () => {
    connection ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: options.region,
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle,
        // Checksums only where S3 requires them: several S3-compatible servers reject the SDK's
        // default CRC32 headers on every request.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    }));
    return connection;
  };
  const objectKey = (key: string) => `${prefix}${assertSafeMediaKey(key)}`;

  return {
    async put(key, data) {
      const { sdk, client } = await connect();
      await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: objectKey(key), Body: data }));
    },
    async get(key) {
      const { sdk, client } = await connect();
      try {
        const object = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
        return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
      } catch (error) {
        if (error instanceof sdk.NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return null;
        throw error;
      }
    },
    async delete(key) {
      const { sdk, client } = await connect();
      // Deleting a missing object succeeds in S3, as removing a missing file does on disk.
      await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
    },
  };
}
