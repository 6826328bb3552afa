import {
  blobKeyFor,
  DocumentListQuerySchema,
  DocumentListSchema,
  DocumentParamsSchema,
  DocumentSchema,
  ErrorResponseSchema,
  StatsSchema,
} from '@docflow/contracts';
import { BlobIntegrityError, BlobNotFoundError, type BlobStore } from '@docflow/blobs';
import type { DocumentsRepository } from '@docflow/db';
import { HttpError, type HttpApp } from '@docflow/http';
import { z } from 'zod';
import { fromDatabase } from './database-errors.js';

const errors = { 401: ErrorResponseSchema, 500: ErrorResponseSchema, 503: ErrorResponseSchema };

export function registerDocumentRoutes(
  app: HttpApp,
  documents: DocumentsRepository,
  bodies: Pick<BlobStore, 'getDocument'>,
): void {
  app.get(
    '/v1/documents',
    {
      schema: {
        tags: ['documents'],
        summary: 'Search or list documents',
        description:
          'With `q`: ranked full-text search (web search syntax: words, "a phrase", -word, or), excerpts mark the ' +
          'matches with <mark> (the rest is HTML-escaped). Without `q`: newest first. Pass `nextCursor` as `cursor` ' +
          'for the next page; a cursor only continues the listing (and q) that returned it.',
        querystring: DocumentListQuerySchema,
        response: { 200: DocumentListSchema, 400: ErrorResponseSchema, ...errors },
      },
    },
    async (request) => {
      const { q, limit, cursor } = request.query;
      return fromDatabase(() => documents.list({ limit, ...(q !== undefined ? { q } : {}), ...(cursor !== undefined ? { cursor } : {}) }));
    },
  );

  app.get(
    '/v1/documents/:id',
    {
      schema: {
        tags: ['documents'],
        summary: 'One document with its full text',
        params: DocumentParamsSchema,
        response: { 200: DocumentSchema, 400: ErrorResponseSchema, 404: ErrorResponseSchema, ...errors },
      },
    },
    async (request) => {
      const document = await fromDatabase(() => documents.get(request.params.id));
      if (document === undefined) throw new HttpError(404, `Document ${request.params.id} not found`);
      return document;
    },
  );

  app.get(
    '/v1/documents/:id/body',
    {
      schema: {
        tags: ['documents'],
        summary: 'The body of one document as it was ingested',
        description:
          'Byte for byte what ingest stored, with the content type it was sent with; its SHA-256 is the document\'s ' +
          '`sha256`. Sending it to ingest again with the same url gives the same document id (what restore does). ' +
          '404 when the document is unknown or its body is not stored (a failed document). Served inert for a browser ' +
          "(`Content-Security-Policy: default-src 'none'; sandbox`, `X-Content-Type-Options: nosniff`): a stored page runs no script.",
        params: DocumentParamsSchema,
        response: {
          200: z.string().describe('The body (text/html, text/plain or text/markdown; charset=utf-8)'),
          400: ErrorResponseSchema,
          404: ErrorResponseSchema,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const document = await fromDatabase(() => documents.get(id));
      if (document === undefined) throw new HttpError(404, `Document ${id} not found`);
      const body = await fromBlobStore(id, () => bodies.getDocument(blobKeyFor(document.sha256)));
      // a text content type: Fastify sends the string as it is instead of serializing it as JSON.
      // The body is someone else's HTML: a browser that opens it must not run its scripts, load
      // what it links, or guess another type
      return reply
        .type(`${document.contentType}; charset=utf-8`)
        .header('x-content-sha256', document.sha256)
        .header('content-security-policy', STORED_BODY_CSP)
        .header('x-content-type-options', 'nosniff')
        .send(body.body);
    },
  );

  app.get(
    '/v1/stats',
    {
      schema: {
        tags: ['documents'],
        summary: 'Documents by status and the time of the last processing',
        response: { 200: StatsSchema, ...errors },
      },
    },
    async () => fromDatabase(() => documents.stats()),
  );
}

/** A stored body is inert in a browser: no script, no fetch, no form, no plugin, a unique origin. */
const STORED_BODY_CSP = "default-src 'none'; sandbox";

/**
 * A body that is not stored is the client's 404; a stored body that no longer matches its digest
 * is our 500; S3 unreachable is a 503 worth retrying. Details go to the log only.
 */
async function fromBlobStore<T>(id: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BlobNotFoundError) throw new HttpError(404, `The body of document ${id} is not stored`);
    if (error instanceof BlobIntegrityError) {
      throw new HttpError(500, `The stored body of document ${id} does not match its SHA-256`, { cause: error });
    }
    throw new HttpError(503, 'Document storage is unavailable; try again later', { cause: error });
  }
}
