import { z } from 'zod';
import { ContentTypeSchema, DocumentUrlSchema } from './documents.js';
import { BlobKeySchema, CorrelationIdSchema, DocumentIdSchema, Sha256Schema } from './ids.js';
import { unwrapHandBacks } from './hand-back.js';
import { MAX_MESSAGE_BYTES, MAX_TITLE_LENGTH } from './limits.js';

/**
 * The claim-check message ingest sends and the worker consumes, version 1. It names the stored
 * body (blobKey) and never carries it: SQS and EventBridge Pipes both have size limits that a
 * 1 MiB document would break.
 */
export const DocumentMessageV1Schema = z.object({
  v: z.literal(1),
  documentId: DocumentIdSchema,
  blobKey: BlobKeySchema,
  sha256: Sha256Schema,
  url: DocumentUrlSchema,
  contentType: ContentTypeSchema,
  title: z.string().max(MAX_TITLE_LENGTH).optional(),
  receivedAt: z.iso.datetime(),
  attempt: z.number().int().min(1),
  correlationId: CorrelationIdSchema,
});
export type DocumentMessageV1 = z.infer<typeof DocumentMessageV1Schema>;

/** Every message version the worker understands, told apart by `v`. */
export const DocumentMessageSchema = z.discriminatedUnion('v', [DocumentMessageV1Schema]);
export type DocumentMessage = z.infer<typeof DocumentMessageSchema>;

export type ParsedMessage = { ok: true; message: DocumentMessage } | { ok: false; reason: string };

/**
 * Parses a raw queue message body. Never throws: a message that fails the contract yields a
 * reason that names what is wrong, so the consumer can dead-letter it and log why. A body the
 * task-stopped rule handed back carries one marker per hand-back in front (hand-back.ts); each
 * counts as an attempt spent.
 */
export function parseDocumentMessage(raw: string): ParsedMessage {
  const { handBacks, body } = unwrapHandBacks(raw);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: `message body is not JSON: ${(error as Error).message}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: 'message body must be a JSON object' };
  }
  const version = (json as { v?: unknown }).v;
  if (version !== 1) {
    return { ok: false, reason: `unsupported message version ${JSON.stringify(version ?? null)} (this worker reads v1)` };
  }
  const result = DocumentMessageSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`);
    return { ok: false, reason: `message does not match the v1 contract: ${issues.join('; ')}` };
  }
  const message = result.data;
  return { ok: true, message: handBacks === 0 ? message : { ...message, attempt: message.attempt + handBacks } };
}

/**
 * UTF-16 code units that some SQS implementation refuses in a message body or attribute value.
 * SQS accepts #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD and #x10000-#x10FFFF and answers
 * InvalidMessageContents for anything else (U+FFFE, U+FFFF, lone surrogates, most control
 * characters); the local emulator (fauxqs 1.9.2) also refuses every character above U+FFFF.
 * Matched per code unit, so a character above U+FFFF matches as its two surrogates.
 */
// eslint-disable-next-line no-control-regex -- the control characters SQS allows are the point
export const SQS_UNSAFE_CHARACTERS = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/g;

/**
 * JSON text whose characters every SQS implementation accepts: each unsafe code unit becomes a
 * `\uXXXX` escape, which any JSON parser turns back into the same string. Outside strings JSON
 * text is ASCII, so rewriting the whole text is safe.
 */
export function toQueueSafeJson(json: string): string {
  return json.replace(SQS_UNSAFE_CHARACTERS, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text for a message attribute (a reason, a quote of a body): unsafe code units become U+FFFD. */
export function toQueueSafeText(text: string): string {
  return text.replace(SQS_UNSAFE_CHARACTERS, '\uFFFD');
}

/**
 * Serializes a message for the queue, validating it first, so that a producer bug surfaces at
 * the producer and not as a dead-lettered message. Characters SQS refuses travel escaped, so no
 * valid document is ever refused for its url or title.
 */
export function serializeDocumentMessage(message: DocumentMessage): string {
  const body = toQueueSafeJson(JSON.stringify(DocumentMessageSchema.parse(message)));
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new RangeError(`document message is ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES}`);
  }
  return body;
}

/** The same message, handed back to the queue for one more attempt. */
export function nextAttempt(message: DocumentMessage): DocumentMessage {
  return { ...message, attempt: message.attempt + 1 };
}

/** Message attributes a dead-lettered message carries, so whoever drains the DLQ sees why. */
export const DEAD_LETTER_REASON = 'docflow-dead-letter-reason';
export const DEAD_LETTER_AT = 'docflow-dead-lettered-at';
const MAX_DEAD_LETTER_REASON_CHARS = 1_000;

/** The attributes of a message sent to the dead-letter queue for `reason`. */
export function deadLetterAttributes(reason: string): Record<string, string> {
  return {
    // a reason may quote the body (a JSON parse error does), cut anywhere: keep it sendable
    [DEAD_LETTER_REASON]: toQueueSafeText(reason.slice(0, MAX_DEAD_LETTER_REASON_CHARS)),
    [DEAD_LETTER_AT]: new Date().toISOString(),
  };
}

/** SQS's longest message delay: 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

/** Delay before a handed-back pipe-mode message is tried again: 10 s, 20 s, 40 s … at most 15 minutes. */
export function retryDelaySeconds(attempt: number): number {
  return Math.min(MAX_DELAY_SECONDS, 10 * 2 ** (attempt - 1));
}

/**
 * How a pipe-mode worker task ends, for whoever watches tasks stop (the local pipe, the
 * task-stopped rule in AWS): `done` (processed, or recorded as failed), `handedBack` (the task put
 * the message back itself: re-enqueued or dead-lettered). Any other end (another code, a signal,
 * SIGKILL) may have lost the message, which the watcher then hands back.
 */
export const PIPE_TASK_EXIT = { done: 0, handedBack: 10 } as const;
