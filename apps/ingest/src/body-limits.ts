import { MAX_DOCUMENT_BYTES } from '@docflow/contracts';
import { HttpError } from '@docflow/http';
import type { FastifyRequest } from 'fastify';

/**
 * Largest JSON request for one document. The 1 MiB limit is on the document body in UTF-8;
 * inside JSON the same body grows by escaping: quotes and newlines take 2 bytes, a client
 * escaping non-ASCII (Python's json.dumps by default) up to 3x, control characters 6x. So the
 * request may be up to 6x the body, plus room for url and title; the body itself is then
 * measured exactly (413 below).
 */
export const DOCUMENT_REQUEST_LIMIT_BYTES = 6 * MAX_DOCUMENT_BYTES + 64 * 1024;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function oversized(path: string, body: unknown): { path: string; message: string } | undefined {
  if (typeof body !== 'string') return undefined;
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes <= MAX_DOCUMENT_BYTES) return undefined;
  return { path, message: `is ${bytes} bytes; the limit is ${MAX_DOCUMENT_BYTES} bytes (1 MiB) of UTF-8` };
}

/**
 * A document body over 1 MiB is "too large" (413 naming the limit), not merely invalid: checked
 * after parsing and before schema validation, which would call it a 400.
 */
export async function rejectOversizedDocuments(request: FastifyRequest): Promise<void> {
  const { body } = request;
  if (!isRecord(body)) return;
  const issues = Array.isArray(body['documents'])
    ? body['documents'].map((document, index) => oversized(`documents.${index}.body`, isRecord(document) ? document['body'] : undefined))
    : [oversized('body', body['body'])];
  const found = issues.filter((issue) => issue !== undefined);
  if (found.length === 0) return;
  throw new HttpError(
    413,
    `Document body larger than the limit of ${MAX_DOCUMENT_BYTES} bytes (1 MiB): ${found.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`,
    { issues: found },
  );
}
