import { DocumentUrlSchema } from '@docflow/contracts';
import type { HttpApp } from '@docflow/http';
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
  url: DocumentUrlSchema.optional().describe('Where the document came from; required when the body is sent raw'),
  title: z.string().optional().describe('Title to use instead of the extracted one (raw bodies only)'),
});

/** Parses text/html and text/markdown as strings (Fastify already does text/plain). */
export function acceptRawDocuments(app: HttpApp): void {
  app.addContentTypeParser(
    ['text/html', 'text/markdown'],
    { parseAs: 'string', bodyLimit: DOCUMENT_REQUEST_LIMIT_BYTES },
    (_request, body, done) => done(null, body),
  );
}

/** preValidation: a raw document body (and its query) turned into `{url, contentType, body, title}`. */
export async function rawBodyToDocumentRequest(request: FastifyRequest): Promise<void> {
  if (typeof request.body !== 'string') return;
  const query = (request.query ?? {}) as { url?: unknown; title?: unknown };
  request.body = {
    url: query.url,
    contentType: mediaType(request.headers['content-type']),
    body: request.body,
    ...(query.title !== undefined ? { title: query.title } : {}),
  };
}

/** `text/html; charset=utf-8` → `text/html`; validation names anything else under contentType. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
