import { z } from 'zod';

/** A position in a list: the sort key exactly as PostgreSQL holds it (text, microseconds kept) and the id. */
export interface Position {
  key: string;
  id: string;
}

// Cursors are opaque to clients: the sort they belong to, the exact sort key (a time), and the row id.
const cursorShape = z.object({ s: z.string(), k: z.string(), i: z.string() });

export function encodeCursor(sort: string, position: Position): string {
  return Buffer.from(JSON.stringify({ s: sort, k: position.key, i: position.id })).toString('base64url');
}

/** undefined: no cursor given; null: a cursor that is not one of this list's. */
export function decodeCursor(sort: string, cursor: string | undefined): Position | null | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = cursorShape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (!parsed.success || parsed.data.s !== sort || Number.isNaN(Date.parse(parsed.data.k))) return null;
    return { key: parsed.data.k, id: parsed.data.i };
  } catch {
    return null;
  }
}

/** Pages are fetched with one row more than asked, to know whether another page exists. */
export function pageOf<T>(rows: T[], limit: number, position: (row: T) => Position, sort: string) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(sort, position(last)) : null };
}
