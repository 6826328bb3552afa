/** Largest document body ingest accepts, in UTF-8 bytes (1 MiB). */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** Most documents one batch request may carry. */
export const MAX_BATCH_DOCUMENTS = 100;

/**
 * Largest JSON request for a batch, in bytes. Not 100 x the single-document limit: a batch is meant
 * for many small documents, and one request must not hold hundreds of MiB in memory; large
 * documents go one per request (or in smaller batches).
 */
export const MAX_BATCH_REQUEST_BYTES = 16 * 1024 * 1024;

/** Longest title a client may supply, in characters. */
export const MAX_TITLE_LENGTH = 1_000;

/** Longest URL accepted, in characters: it travels in the claim-check message, which must stay small. */
export const MAX_URL_LENGTH = 4_096;

/**
 * Largest claim-check message the pipeline ever sends, in bytes. EventBridge Pipes passes the
 * message body to ECS RunTask as a container override, and all overrides together are limited
 * to 8192 characters; this budget leaves room for the other overrides.
 */
export const MAX_MESSAGE_BYTES = 6 * 1024;
