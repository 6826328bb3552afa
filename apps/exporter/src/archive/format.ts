import { DocumentSchema, Sha256Schema } from '@docflow/contracts';
import { z } from 'zod';

/**
 * The archive format, version 1. An archive is a folder (a local folder, or a prefix in S3 or GCS)
 * holding three files; `manifest.json` is written last, so an archive without one is unfinished.
 */
export const ARCHIVE_FORMAT = 'docflow-archive';
export const ARCHIVE_FORMAT_VERSION = 1;

export const DOCUMENTS_FILE = 'documents.jsonl.gz';
export const EPUB_FILE = 'documents.epub';
export const MANIFEST_FILE = 'manifest.json';
/** An unfinished export's progress (and its parts under `parts/`); gone once the manifest is written. */
export const EXPORT_STATE_FILE = 'export-state.json';
export const PARTS_FOLDER = 'parts';

/**
 * One line of `documents.jsonl.gz`: the document as the api serves it (its text, for readers and
 * the EPUB) and its body as ingest stored it (for restore). `sha256` is the body's digest and,
 * with `url`, gives `id`; restore checks both before sending anything.
 */
export const ArchivedDocumentSchema = DocumentSchema.pick({
  id: true,
  url: true,
  contentType: true,
  title: true,
  sha256: true,
  sizeBytes: true,
  receivedAt: true,
  processedAt: true,
  text: true,
}).extend({
  sha256: Sha256Schema,
  body: z.string().min(1),
});
export type ArchivedDocument = z.infer<typeof ArchivedDocumentSchema>;

export const ArchiveFileSchema = z.object({
  sha256: Sha256Schema,
  bytes: z.number().int().nonnegative(),
});
export type ArchiveFile = z.infer<typeof ArchiveFileSchema>;

export const ManifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  formatVersion: z.literal(ARCHIVE_FORMAT_VERSION),
  /** Where the documents came from. */
  apiUrl: z.string(),
  startedAt: z.iso.datetime(),
  exportedAt: z.iso.datetime(),
  /** Only documents processed at or after this time (`--since`); null for a full export. */
  since: z.iso.datetime().nullable(),
  /**
   * The api's latest processing time when this export started: `--since last` of the next export
   * starts a little before it. Null when the api had processed nothing.
   */
  watermark: z.iso.datetime().nullable(),
  /** The api cursor the last page was read with (null when the first page was the last). */
  lastCursor: z.string().nullable(),
  counts: z.object({
    /** Lines in documents.jsonl.gz, chapters in documents.epub. */
    documents: z.number().int().nonnegative(),
    /** Listed but left out: failed documents (no body to restore). */
    skippedFailed: z.number().int().nonnegative(),
    /** Listed as processed, but the api had no body for them (ids in `missingBodies`). */
    skippedMissingBody: z.number().int().nonnegative(),
  }),
  missingBodies: z.array(z.string()),
  files: z.object({
    [DOCUMENTS_FILE]: ArchiveFileSchema,
    [EPUB_FILE]: ArchiveFileSchema,
  }),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** A problem with an archive, located as precisely as it can be: the file, and the line when there is one. */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';

  constructor(
    readonly file: string,
    readonly problem: string,
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? ` line ${line}` : ''}: ${problem}`);
  }
}

/** Parses `manifest.json`, refusing another format or version by name before anything else. */
export function parseManifest(text: string, file = MANIFEST_FILE): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ArchiveError(file, `is not JSON (${(error as Error).message})`);
  }
  const head = (typeof json === 'object' && json !== null ? json : {}) as { format?: unknown; formatVersion?: unknown };
  if (head.format !== ARCHIVE_FORMAT) {
    throw new ArchiveError(file, `is not a docflow archive manifest (format ${JSON.stringify(head.format ?? null)})`);
  }
  if (head.formatVersion !== ARCHIVE_FORMAT_VERSION) {
    throw new ArchiveError(
      file,
      `unknown format version ${JSON.stringify(head.formatVersion ?? null)} (this exporter reads version ${ARCHIVE_FORMAT_VERSION})`,
    );
  }
  const result = ManifestSchema.safeParse(json);
  if (!result.success) throw new ArchiveError(file, describeIssues(result.error));
  return result.data;
}

/** Parses one line of `documents.jsonl.gz`: valid JSON, the schema, and nothing else yet (see checkDocument). */
export function parseArchivedDocument(line: string, lineNumber: number, file = DOCUMENTS_FILE): ArchivedDocument {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    throw new ArchiveError(file, `is not JSON (${(error as Error).message})`, lineNumber);
  }
  const result = ArchivedDocumentSchema.safeParse(json);
  if (!result.success) throw new ArchiveError(file, describeIssues(result.error), lineNumber);
  return result.data;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(value)'}: ${issue.message}`).join('; ');
}
