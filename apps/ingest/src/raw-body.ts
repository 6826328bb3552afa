import { CONTENT_TYPES, DocumentUrlSchema, IngestDocumentRequestSchema } from '@docflow/contracts';
import { HttpError, acceptTextBodies, invalidQueryString, type HttpApp } from '@docflow/http';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DOCUMENT_REQUEST_LIMIT_BYTES } from './body-limits.js';

/**
 * `POST /v1/documents?url=…` may also carry the document itself, sent with its own content type
 * (`curl --data-binary @page.html -H 'content-type: text/html'`), so a file goes in without
 * wrapping it in JSON first. The raw body becomes the JSON request shape before validation,
 * so both forms obey the same rules and answer the same errors.
 */
export const RawDocumentQuerySchema = z.object({
  url: DocumentUrlSchema.optional().describe('Where the document came from; required when the body is sent raw (percent-encoded)'),
  title: IngestDocumentRequestSchema.shape.title.describe('Title to use instead of the extracted one (raw bodies only)'),
});

const RAW_QUERY_PARAMETERS = new Set(['url', 'title']);

/** text/html, text/markdown and text/plain bodies as strings, decoded by their declared charset. */
export function acceptRawDocuments(app: HttpApp): void {
  acceptTextBodies(app, CONTENT_TYPES, DOCUMENT_REQUEST_LIMIT_BYTES);
}

/** preValidation: a raw document body (and its query) turned into `{url, contentType, body, title}`. */
export async function rawBodyToDocumentRequest(request: FastifyRequest): Promise<void> {
  if (typeof request.body !== 'string') return;
  const query = (request.query ?? {}) as Record<string, unknown>;
  if (query['url'] === undefined) {
    throw invalidQuery('is required in the query string when the document is sent as it is: POST /v1/documents?url=https%3A%2F%2Fexample.com%2Fpage');
  }
  const others = Object.keys(query).filter((name) => !RAW_QUERY_PARAMETERS.has(name));
  if (others.length > 0) throw ambiguousUrl(request.url, others);
  // checked here, before the values move into the body: a bad url is the query string's fault
  const parsed = RawDocumentQuerySchema.safeParse(query);
  if (!parsed.success) {
    throw invalidQueryString(parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
  }
  request.body = {
    url: query['url'],
    contentType: mediaType(request.headers['content-type']),
    body: request.body,
    ...(query['title'] !== undefined ? { title: query['title'] } : {}),
  };
}

function invalidQuery(message: string): HttpError {
  return invalidQueryString([{ path: 'url', message }]);
}

/**
 * `?url=https://e.com/x?a=1&b=2` is cut at the `&`: the query says url=https://e.com/x?a=1 and
 * b=2. Rather than store a URL the client did not mean, refuse and show the encoded form.
 */
function ambiguousUrl(requestUrl: string, others: readonly string[]): HttpError {
  const rawQuery = requestUrl.slice(requestUrl.indexOf('?') + 1);
  const parts = rawQuery.split('&').filter((part) => !part.startsWith('title='));
  const meant = safeDecode(parts.join('&').replace(/^url=/, ''));
  const encoded = `?url=${encodeURIComponent(meant)}`;
  const names = others.map((name) => JSON.stringify(name.slice(0, 40))).join(', ');
  return invalidQuery(
    `the query string has parameters other than url and title (${names}); if they belong to the URL, percent-encode it: ${encoded.slice(0, 600)}`,
  );
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** `text/html; charset=utf-8` → `text/html`; validation names anything else under contentType. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
