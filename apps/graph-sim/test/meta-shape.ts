import { readdirSync, readFileSync } from 'node:fs';

/**
 * Structural comparison of a simulator output against a payload Meta documents or a recorded one.
 * Keys, nesting and JSON types must match; string values are compared by their kind (digits, wamid,
 * URL, base64 or hex hash, formatted phone number), never by value, except for the few keys whose
 * value is fixed by the protocol (`object`, `field`, `messaging_product`, ...).
 *
 * A fixture file is `{ _source, _note?, _optional?, _extra?, _lenient?, _shallow?, body }`; the
 * underscore lists hold normalised paths (`entry[].changes[].value.messages[].image.url`):
 * - `_optional`: documented by Meta but allowed to be missing from the simulator's output (not modelled);
 * - `_extra`: present in the simulator's output though not in this example (real fields the example omits);
 * - `_lenient`: number or string both accepted (Meta's own references disagree);
 * - `_shallow`: only checked to be an array of objects.
 */
export interface MetaFixture {
  _source: string;
  _note?: string;
  _optional?: string[];
  _extra?: string[];
  _lenient?: string[];
  _shallow?: string[];
  body: unknown;
}

const FIXTURE_DIR = new URL('./fixtures/meta/', import.meta.url);

export function loadFixture(name: string): MetaFixture {
  const parsed = JSON.parse(readFileSync(new URL(name, FIXTURE_DIR), 'utf8')) as MetaFixture;
  if (typeof parsed._source !== 'string' || parsed._source === '') {
    throw new Error(`fixture ${name} names no _source`);
  }
  return parsed;
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** Keys whose value is part of the protocol rather than data: they must be equal, not just alike. */
const FIXED_VALUE_KEYS = new Set(['object', 'field', 'messaging_product', 'pricing_model', 'type']);

type StringKind = 'digits' | 'wamid' | 'url' | 'sha256-base64' | 'sha256-hex' | 'phone-display' | 'text';

export function stringKind(s: string): StringKind {
  if (/^\d+$/.test(s)) return 'digits';
  if (s.startsWith('wamid.')) return 'wamid';
  if (/^https?:\/\//.test(s)) return 'url';
  if (/^[A-Za-z0-9+/]{43}=$/.test(s)) return 'sha256-base64';
  if (/^[0-9a-f]{64}$/.test(s)) return 'sha256-hex';
  if (/^\+\d[\d\s-]*\d$/.test(s) && /[\s-]/.test(s)) return 'phone-display';
  return 'text';
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Every difference between `actual` and the fixture's shape, as `path: problem` lines. */
export function shapeDifferences(fixture: MetaFixture, actual: unknown): string[] {
  const problems: string[] = [];
  const has = (list: string[] | undefined, path: string): boolean => list?.includes(path) ?? false;

  const walk = (expected: unknown, got: unknown, path: string, key: string): void => {
    const where = path || '(root)';
    if (has(fixture._lenient, path)) {
      if (typeof got !== 'number' && typeof got !== 'string') {
        problems.push(`${where}: expected a number or a string, got ${jsonType(got)}`);
      }
      return;
    }
    const want = jsonType(expected);
    const have = jsonType(got);
    if (want !== have) {
      problems.push(`${where}: expected ${want}, got ${have} (${JSON.stringify(got)})`);
      return;
    }
    if (Array.isArray(expected) && Array.isArray(got)) {
      if (has(fixture._shallow, path)) {
        got.forEach((item, i) => {
          if (jsonType(item) !== 'object') problems.push(`${where}[${i}]: expected object`);
        });
        return;
      }
      if (expected.length === 0) return;
      if (got.length === 0) {
        problems.push(`${where}: expected at least one item`);
        return;
      }
      // Every item the simulator sent must have the shape of Meta's first example item.
      for (const item of got) walk(expected[0], item, `${path}[]`, key);
      return;
    }
    if (want === 'object') {
      const e = expected as Record<string, unknown>;
      const g = got as Record<string, unknown>;
      for (const k of Object.keys(e)) {
        if (k.startsWith('_')) continue;
        const child = path ? `${path}.${k}` : k;
        if (!(k in g)) {
          if (!has(fixture._optional, child)) problems.push(`${child}: missing (Meta sends it)`);
          continue;
        }
        walk(e[k], g[k], child, k);
      }
      for (const k of Object.keys(g)) {
        const child = path ? `${path}.${k}` : k;
        if (!(k in e) && !has(fixture._extra, child)) {
          problems.push(`${child}: not in Meta's payload (${JSON.stringify(g[k])})`);
        }
      }
      return;
    }
    if (want === 'string') {
      const e = expected as string;
      const g = got as string;
      if (FIXED_VALUE_KEYS.has(key)) {
        if (e !== g) problems.push(`${where}: expected "${e}", got "${g}"`);
        return;
      }
      const kind = stringKind(e);
      if (kind !== 'text' && stringKind(g) !== kind) {
        problems.push(`${where}: expected a ${kind} string like "${e}", got "${g}"`);
      }
    }
  };

  walk(fixture.body, actual, '', '');
  return problems;
}

/** The fixture body without its underscore annotations, as a receiver would get it. */
export function bodyOf(fixture: MetaFixture): unknown {
  return structuredClone(fixture.body);
}
