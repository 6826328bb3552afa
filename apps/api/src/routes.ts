import {
  DocumentListQuerySchema,
  DocumentListSchema,
  DocumentParamsSchema,
  DocumentSchema,
  ErrorResponseSchema,
  StatsSchema,
} from '@docflow/contracts';
import type { DocumentsRepository } from '@docflow/db';
import { HttpError, type HttpApp } from '@docflow/http';
import { fromDatabase } from './database-errors.js';

const errors = { 401: ErrorResponseSchema, 500: ErrorResponseSchema, 503: ErrorResponseSchema };

export function registerDocumentRoutes(app: HttpApp, documents: DocumentsRepository): void {
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
