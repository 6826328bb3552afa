import {
  ErrorResponseSchema,
  IngestAcceptedSchema,
  IngestBatchAcceptedSchema,
  IngestBatchRequestSchema,
  IngestDocumentRequestSchema,
  MAX_BATCH_DOCUMENTS,
  MAX_BATCH_REQUEST_BYTES,
} from '@docflow/contracts';
import type { HttpApp } from '@docflow/http';
import { DOCUMENT_REQUEST_LIMIT_BYTES, rejectOversizedDocuments } from './body-limits.js';
import type { DocumentIntake } from './intake.js';
import { RawDocumentQuerySchema, acceptRawDocuments, rawBodyToDocumentRequest } from './raw-body.js';

const errors = { 400: ErrorResponseSchema, 401: ErrorResponseSchema, 413: ErrorResponseSchema, 503: ErrorResponseSchema };

export function registerDocumentRoutes(app: HttpApp, intake: DocumentIntake): void {
  acceptRawDocuments(app);
  app.post(
    '/v1/documents',
    {
      bodyLimit: DOCUMENT_REQUEST_LIMIT_BYTES,
      preValidation: [rawBodyToDocumentRequest, rejectOversizedDocuments],
      schema: {
        tags: ['documents'],
        summary: 'Submit a document',
        description:
          'Stores the body (at most 1 MiB of UTF-8) and queues it for processing. The id derives from url and body: ' +
          'sending the same document again is safe and answers the same id. 503 means nothing was accepted: retry. ' +
          'The document may also be sent as it is, with Content-Type text/html, text/plain or text/markdown and its ' +
          'URL (and optionally a title) in the query string: POST /v1/documents?url=https://example.com/page.',
        querystring: RawDocumentQuerySchema,
        body: IngestDocumentRequestSchema,
        response: { 202: IngestAcceptedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const accepted = await intake.accept(request.body, { correlationId: request.id, log: request.log });
      return reply.code(202).send(accepted);
    },
  );

  // "::" is a literal colon for Fastify's router (":" alone starts a path parameter)
  app.post(
    '/v1/documents::batch',
    {
      bodyLimit: MAX_BATCH_REQUEST_BYTES,
      preValidation: rejectOversizedDocuments,
      schema: {
        tags: ['documents'],
        summary: `Submit up to ${MAX_BATCH_DOCUMENTS} documents`,
        description:
          `At most ${MAX_BATCH_DOCUMENTS} documents and ${MAX_BATCH_REQUEST_BYTES} bytes of JSON per request. ` +
          'All or nothing: on 503 no document counts as accepted and the whole batch may be resent.',
        body: IngestBatchRequestSchema,
        response: { 202: IngestBatchAcceptedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const documents = await intake.acceptBatch(request.body.documents, { correlationId: request.id, log: request.log });
      return reply.code(202).send({ documents });
    },
  );
}
