/** Keyset pagination, newest first, over (a creation instant, id): the cursor is opaque to callers. */

export interface ListPage<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Cursor {
  createdAt: string;
  id: string;
}

export const encodeCursor = (c: Cursor): string =>
  Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Returns undefined for anything that is not a cursor this module made: exactly what `encodeCursor`
 * writes (an instant as `toISOString` prints it, a uuid), so Postgres never sees a date or id it
 * cannot read (`Date.parse` also accepts "1" or year -271821).
 */
export function decodeCursor(cursor: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      ISO_INSTANT.test(value[0]) &&
      !value[0].startsWith('0000-') &&
      new Date(value[0]).toISOString() === value[0] &&
      typeof value[1] === 'string' &&
      UUID.test(value[1])
    ) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // falls through: not a cursor
  }
  return undefined;
}
