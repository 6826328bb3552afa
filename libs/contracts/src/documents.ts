import { z } from 'zod';
import { DocumentIdSchema } from './ids.js';
import { MAX_BATCH_DOCUMENTS, MAX_DOCUMENT_BYTES, MAX_TITLE_LENGTH, MAX_URL_LENGTH } from './limits.js';

export const CONTENT_TYPES = ['text/html', 'text/plain', 'text/markdown'] as const;
export const ContentTypeSchema = z.enum(CONTENT_TYPES);
export type ContentType = z.infer<typeof ContentTypeSchema>;

export const DOCUMENT_STATUSES = ['processed', 'failed'] as const;
export const DocumentStatusSchema = z.enum(DOCUMENT_STATUSES);
export type DocumentStatus = z.infer<typeof DocumentStatusSchema>;

/** PostgreSQL text cannot hold U+0000: a field with one could never be stored or searched. */
const NO_NUL = { error: 'must not contain the NUL character (U+0000)' } as const;
const hasNoNul = (value: string) => !value.includes('\u0000');

/**
 * A lone UTF-16 surrogate (`"\ud800"` in JSON) is not a character: UTF-8 cannot encode it, so
 * storing it would silently turn it into U+FFFD. Refused instead, with its position.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = (value: string, context: z.core.$RefinementCtx<string>) => {
  const found = LONE_SURROGATE.exec(value);
  if (found !== null) {
    const unit = found[0].charCodeAt(0).toString(16).toUpperCase();
    context.addIssue({
      code: 'custom',
      message: `must be well-formed Unicode: an unpaired surrogate \\u${unit} at character ${found.index}`,
    });
  }
};

export const DocumentUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
  // its own message: otherwise the schema's "must be an absolute http(s) URL" would answer
  .max(MAX_URL_LENGTH, { error: `must be at most ${MAX_URL_LENGTH} characters` })
  .refine(hasNoNul, NO_NUL)
  .superRefine(wellFormed)
  .describe('Where the document came from (http or https)');

const TitleSchema = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(MAX_TITLE_LENGTH, { error: `must be at most ${MAX_TITLE_LENGTH} characters` })
  .refine(hasNoNul, NO_NUL)
  .superRefine(wellFormed);

/** Body of `POST /v1/documents`. */
export const IngestDocumentRequestSchema = z.object({
  url: DocumentUrlSchema,
  contentType: ContentTypeSchema,
  body: z
    .string()
    .min(1, 'must not be empty')
    .refine((body) => Buffer.byteLength(body, 'utf8') <= MAX_DOCUMENT_BYTES, {
      error: `must be at most ${MAX_DOCUMENT_BYTES} bytes (1 MiB) of UTF-8`,
    })
    .superRefine(wellFormed)
    .describe('The document itself: HTML, plain text or markdown, at most 1 MiB'),
  title: TitleSchema.optional().describe('Title to use instead of the one extracted from the body'),
});
export type IngestDocumentRequest = z.infer<typeof IngestDocumentRequestSchema>;

/** Answer to an accepted document: it is stored and queued, not yet processed. */
export const IngestAcceptedSchema = z.object({
  documentId: DocumentIdSchema,
  status: z.literal('queued'),
});
export type IngestAccepted = z.infer<typeof IngestAcceptedSchema>;

/** Body of `POST /v1/documents:batch`. */
export const IngestBatchRequestSchema = z.object({
  documents: z.array(IngestDocumentRequestSchema).min(1).max(MAX_BATCH_DOCUMENTS),
});
export type IngestBatchRequest = z.infer<typeof IngestBatchRequestSchema>;

export const IngestBatchAcceptedSchema = z.object({
  documents: z.array(IngestAcceptedSchema),
});
export type IngestBatchAccepted = z.infer<typeof IngestBatchAcceptedSchema>;

/** How much of a document's text full-text search covers (it indexes a prefix of long texts). */
export const SearchIndexSchema = z
  .object({
    complete: z.boolean().describe('Whether search covers the whole text; false when the text is longer than indexedChars'),
    indexedChars: z.number().int().describe('How many characters of the text, from its start, search covers'),
  })
  .describe('How much of the text full-text search covers');
export type SearchIndex = z.infer<typeof SearchIndexSchema>;

/** One document as the api serves it. */
export const DocumentSchema = z.object({
  id: DocumentIdSchema,
  url: z.string(),
  contentType: ContentTypeSchema,
  title: z.string().nullable(),
  text: z.string(),
  status: DocumentStatusSchema,
  error: z.string().nullable().describe('Why processing failed, when status is "failed"'),
  sha256: z.string(),
  sizeBytes: z.number().int(),
  receivedAt: z.iso.datetime(),
  processedAt: z.iso.datetime(),
  searchIndex: SearchIndexSchema,
});
export type Document = z.infer<typeof DocumentSchema>;

/** A document in a list: no full text, an excerpt instead (highlighted when searching). */
export const DocumentSummarySchema = DocumentSchema.omit({ text: true, error: true }).extend({
  excerpt: z.string(),
  rank: z.number().nullable().describe('Full-text rank when searching, otherwise null'),
});
export type DocumentSummary = z.infer<typeof DocumentSummarySchema>;

export const DOCUMENT_LIST_MAX_LIMIT = 100;
export const DOCUMENT_LIST_DEFAULT_LIMIT = 20;

/** Query of `GET /v1/documents`. */
export const DocumentListQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(500, { error: 'must be at most 500 characters' })
    .refine(hasNoNul, NO_NUL)
    .superRefine(wellFormed)
    .optional()
    .describe('Full-text query; results are ranked'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(DOCUMENT_LIST_MAX_LIMIT)
    .default(DOCUMENT_LIST_DEFAULT_LIMIT),
  cursor: z.string().min(1).max(512).optional().describe('nextCursor of the previous page'),
});
export type DocumentListQuery = z.infer<typeof DocumentListQuerySchema>;

export const SEARCH_RANKINGS = ['exact', 'bounded'] as const;

export const DocumentListSchema = z.object({
  items: z.array(DocumentSummarySchema),
  nextCursor: z.string().nullable().describe('Pass as cursor to get the next page; null on the last page'),
  ranking: z
    .enum(SEARCH_RANKINGS)
    .nullable()
    .describe(
      'With q: "exact" when every match was ranked; "bounded" for a broad query, ranked over the documents where its ' +
        'words weigh most (the listing ends after those). Null without q.',
    ),
});
export type DocumentList = z.infer<typeof DocumentListSchema>;

export const DocumentParamsSchema = z.object({ id: DocumentIdSchema });

/** `GET /v1/stats`. */
export const StatsSchema = z.object({
  documents: z.object({
    total: z.number().int(),
    byStatus: z.record(DocumentStatusSchema, z.number().int()),
  }),
  lastProcessedAt: z.iso.datetime().nullable(),
});
export type Stats = z.infer<typeof StatsSchema>;
