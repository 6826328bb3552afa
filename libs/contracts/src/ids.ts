import { createHash } from 'node:crypto';
import { z } from 'zod';

/** A document id: 32 lowercase hex characters (128 bits of a SHA-256). */
export const DocumentIdSchema = z
  .string()
  .regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hexadecimal characters')
  .describe('Document id, derived from the document URL and the SHA-256 of its body');
export type DocumentId = z.infer<typeof DocumentIdSchema>;

/** A SHA-256 digest as 64 lowercase hex characters. */
export const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 digest in lowercase hex');

/** Blob key of a document body: content-addressed under `raw/`. */
export const BlobKeySchema = z.string().regex(/^raw\/[0-9a-f]{64}$/, 'must be raw/<sha256>');

/** Correlation ids travel from the ingest request through the queue into the worker's logs. */
export const CorrelationIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 characters of letters, digits and ._:-');

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The content-addressed blob key for a body with this digest. */
export function blobKeyFor(sha256: string): string {
  return `raw/${sha256}`;
}

/**
 * The id of a document: the same URL with the same body always gets the same id, so a
 * re-submitted or re-delivered document updates one row instead of adding another.
 */
export function documentIdFor(url: string, bodySha256: string): DocumentId {
  return sha256Hex(`${url}\n${bodySha256}`).slice(0, 32);
}
