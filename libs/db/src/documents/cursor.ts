import { createHash } from 'node:crypto';
import { DocumentIdSchema } from '@docflow/contracts';
import { z } from 'zod';

/**
 * A list cursor is the sort key of the last row of a page, as base64url JSON. It is opaque to
 * clients but not secret: forging one only moves where a page starts, so it is validated, not
 * signed. A search cursor carries a fingerprint of its query, so it cannot continue another one.
 */
const RecentCursorSchema = z.object({
  v: z.literal(1),
  k: z.literal('recent'),
  // PostgreSQL has no year 0 (ISO 8601's 1 BC); every time the api issues is long after
  at: z.iso.datetime({ error: 'is not an ISO 8601 time' }).refine((at) => !at.startsWith('0000'), 'is in year 0000, which does not exist'),
  id: DocumentIdSchema,
});

/** Smallest positive normal `real` (float4): PostgreSQL refuses to read anything closer to 0. */
const MIN_POSITIVE_REAL = 1.1754943508222875e-38;

/** A rank as PostgreSQL's `real` holds it: 0, or a finite float4 that does not underflow. */
const isReal = (rank: number) => rank === 0 || (rank >= MIN_POSITIVE_REAL && Number.isFinite(Math.fround(rank)));

const SearchCursorSchema = z.object({
  v: z.literal(1),
  k: z.literal('search'),
  q: z.string().regex(/^[0-9a-f]{16}$/),
  rank: z.number().nonnegative().refine(isReal, 'is not a real number PostgreSQL can hold'),
  id: DocumentIdSchema,
  // how the listing is ranked (search.ts), so that every page of it is ranked alike; absent in
  // cursors issued before there was a choice
  m: z.enum(['exact', 'bounded']).optional(),
});

const CursorSchema = z.discriminatedUnion('k', [RecentCursorSchema, SearchCursorSchema]);

export type RecentCursor = z.infer<typeof RecentCursorSchema>;
export type SearchCursor = z.infer<typeof SearchCursorSchema>;
type Cursor = z.infer<typeof CursorSchema>;

/** A cursor that this service did not issue for this query. The api answers 400 naming `field`. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  readonly field = 'cursor';

  constructor(reason: string) {
    super(`cursor: ${reason}`);
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function queryFingerprint(q: string): string {
  return createHash('sha256').update(q).digest('hex').slice(0, 16);
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** The position to continue a newest-first listing from. */
export function decodeRecentCursor(token: string): RecentCursor {
  const cursor = decode(token);
  if (cursor.k !== 'recent') throw new InvalidCursorError('belongs to a search; repeat the search with its q');
  return cursor;
}

/** The position to continue the search for `q` from. */
export function decodeSearchCursor(token: string, q: string): SearchCursor {
  const cursor = decode(token);
  if (cursor.k !== 'search') throw new InvalidCursorError('belongs to a listing without q');
  if (cursor.q !== queryFingerprint(q)) throw new InvalidCursorError('belongs to a different q');
  return cursor;
}

function decode(token: string): Cursor {
  // Buffer.from ignores characters outside the alphabet, which would accept garbage
  if (!BASE64URL.test(token)) throw new InvalidCursorError('is not a cursor this API issued (not base64url)');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('is not a cursor this API issued (not JSON)');
  }
  const result = CursorSchema.safeParse(json);
  if (!result.success) {
    // the first field at fault, so that whoever forged or mangled it sees what gave it away
    const [issue] = result.error.issues;
    const where = issue === undefined || issue.path.length === 0 ? '' : ` (${issue.path.join('.')}: ${issue.message})`;
    throw new InvalidCursorError(`is not a cursor this API issued${where}`);
  }
  return result.data;
}
