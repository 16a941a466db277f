import { mkdirSync, mkdtempSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * Where media files live (inbound downloads, outbound uploads). Local disk under DATA_DIR/media by
 * default, or an S3-compatible bucket (media-s3.ts, MEDIA_STORE=s3); keys are `workspaceId/…` so a
 * tenant's files stay together and can be purged together.
 */
export interface MediaStore {
  put(key: string, data: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
  delete(key: string): Promise<void>;
}

const SAFE_KEY = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/;

/** Keys are built by the platform, never taken from a request; this refuses anything path-like anyway. */
export function assertSafeMediaKey(key: string): string {
  if (!SAFE_KEY.test(key) || key.includes('..')) throw new Error(`unsafe media key: ${key}`);
  return key;
}

export function localMediaStore(dataDir: string): MediaStore {
  const root = resolve(
    dataDir === 'memory://' ? mkdtempSync(join(tmpdir(), 'owaba-media-')) : join(dataDir, 'media'),
  );
  mkdirSync(root, { recursive: true });
  const pathOf = (key: string) => join(root, assertSafeMediaKey(key));
  return {
    async put(key, data) {
      const path = pathOf(key);
      mkdirSync(dirname(path), { recursive: true });
      const temp = `${path}.${process.pid}.tmp`;
      await writeFile(temp, data);
      await rename(temp, path);
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
