import { readFileSync } from 'node:fs';

/** Reads a JSON fixture from test/fixtures. */
export function loadFixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}
