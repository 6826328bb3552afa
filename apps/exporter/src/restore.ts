import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MAX_BATCH_DOCUMENTS,
  MAX_BATCH_REQUEST_BYTES,
  documentIdFor,
  sha256Hex,
  type IngestDocumentRequest,
} from '@docflow/contracts';
import {
  ArchiveError,
  DOCUMENTS_FILE,
  EPUB_FILE,
  MANIFEST_FILE,
  parseManifest,
  type ArchivedDocument,
  type Manifest,
} from './archive/format.js';
import { digestFile, readArchivedDocuments } from './archive/jsonl.js';
import { ApiKeyRefusedError } from './clients/http.js';
import type { IngestClient } from './clients/ingest-client.js';
import { ARCHIVE_NAME } from './export.js';
import { keyOf, type ArchiveStore } from './storage/store.js';

/** Room left in a batch request for the envelope around the documents. */
const BATCH_ENVELOPE_BYTES = 64 * 1024;

export interface VerifiedArchive {
  /** The archive's folder in the store ('' when the store's root is the archive). */
  readonly name: string;
  readonly manifest: Manifest;
  /** The verified copy on this machine; restore sends from it, so what is sent is what was checked. */
  readonly documentsPath: string;
  readonly documents: number;
}

export interface RestoreOptions {
  readonly ingest: IngestClient;
  readonly store: ArchiveStore;
  /**
   * Batches in flight at once.
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * Most documents per batch request (batches are also kept under ingest's request size limit).
   * @default MAX_BATCH_DOCUMENTS (100)
   */
  readonly batchDocuments?: number;
  /**
   * Local scratch folder for copies of remote archives; removed at the end.
   * @default - a new folder under the OS temp dir
   */
  readonly workDir?: string;
  /** @default - nothing */
  readonly onProgress?: (progress: RestoreProgress) => void;
}

export interface RestoreProgress {
  readonly phase: 'verifying' | 'sending';
  /** Documents checked (verifying) or accepted by ingest (sending), over every archive. */
  readonly documents: number;
  readonly total: number;
}

export interface RestoredArchive {
  readonly name: string;
  readonly documents: number;
  readonly since: string | null;
  readonly exportedAt: string;
}

export interface RestoreResult {
  readonly location: string;
  readonly archives: readonly RestoredArchive[];
  readonly documents: number;
  readonly batches: number;
  readonly elapsedMs: number;
}

/** Sending stopped part-way: what ingest accepted so far is exactly this (resending is safe). */
export class RestoreIncompleteError extends Error {
  override readonly name = 'RestoreIncompleteError';

  constructor(
    readonly accepted: number,
    readonly total: number,
    /** Per archive, the lines 1..n that ingest accepted, in order. */
    readonly acceptedLines: readonly { readonly archive: string; readonly throughLine: number }[],
    readonly reason: Error,
  ) {
    const lines = acceptedLines.map(({ archive, throughLine }) => `${archive || DOCUMENTS_FILE}: lines 1-${throughLine}`).join(', ');
    super(
      `restored ${accepted} of ${total} documents (${lines || 'none'}), then: ${reason.message}. ` +
        'Run the same command again: documents keep their ids, so resending is safe',
    );
  }
}

/**
 * The archives a `--from` names: the root itself when it holds a manifest, or else the newest full
 * export under it followed by every later incremental one (`--since`), oldest first.
 */
export async function resolveArchives(store: ArchiveStore): Promise<string[]> {
  if ((await store.readText(MANIFEST_FILE)) !== undefined) return [''];
  const complete: { name: string; since: string | null }[] = [];
  for (const name of (await store.listFolders()).filter((folder) => ARCHIVE_NAME.test(folder))) {
    const text = await store.readText(keyOf(name, MANIFEST_FILE));
    if (text !== undefined) complete.push({ name, since: parseManifest(text, keyOf(name, MANIFEST_FILE)).since });
  }
  const full = complete.map((archive) => archive.since).lastIndexOf(null);
  if (full === -1) {
    throw new ArchiveError(
      store.location,
      complete.length === 0 ? 'holds no archive (no manifest.json, nor a docflow-<time> folder with one)' : 'holds only incremental archives (--since), no full one to start from',
    );
  }
  return complete.slice(full).map((archive) => archive.name);
}

/**
 * Checks an archive before anything is sent: the manifest's format and version, every line
 * (JSON, fields, the body against its SHA-256, the id against url and SHA-256), the number of
 * lines, and the SHA-256 and size of each file against the manifest. The first problem stops it,
 * naming the file and the line.
 */
export async function verifyArchive(
  store: ArchiveStore,
  name: string,
  workDir: string,
  onDocument: () => void = () => undefined,
): Promise<VerifiedArchive> {
  const label = (file: string) => keyOf(name, file);
  const manifestText = await store.readText(label(MANIFEST_FILE));
  if (manifestText === undefined) throw new ArchiveError(label(MANIFEST_FILE), 'is missing (an unfinished export?)');
  const manifest = parseManifest(manifestText, label(MANIFEST_FILE));
  const local = async (file: string) => {
    const inPlace = store.localPath?.(label(file));
    if (inPlace !== undefined) return inPlace;
    const path = join(workDir, `${name || 'archive'}-${file}`);
    await store.download(label(file), path).catch((error: Error) => {
      throw new ArchiveError(label(file), `could not be read (${error.message})`);
    });
    return path;
  };
  const documentsPath = await local(DOCUMENTS_FILE);
  const epubPath = await local(EPUB_FILE);

  let lines = 0;
  for await (const { document, line } of readArchivedDocuments(documentsPath, label(DOCUMENTS_FILE))) {
    checkDocument(document, line, label(DOCUMENTS_FILE));
    lines = line;
    onDocument();
  }
  if (lines !== manifest.counts.documents) {
    throw new ArchiveError(label(DOCUMENTS_FILE), `holds ${lines} documents, ${label(MANIFEST_FILE)} says ${manifest.counts.documents}`);
  }
  for (const [file, path] of [
    [DOCUMENTS_FILE, documentsPath],
    [EPUB_FILE, epubPath],
  ] as const) {
    const actual = await digestFile(path).catch(() => undefined);
    const expected = manifest.files[file];
    if (actual === undefined) throw new ArchiveError(label(file), 'is missing');
    if (actual.sha256 !== expected.sha256 || actual.bytes !== expected.bytes) {
      throw new ArchiveError(
        label(file),
        `SHA-256 ${actual.sha256} (${actual.bytes} bytes) does not match ${label(MANIFEST_FILE)} (${expected.sha256}, ${expected.bytes} bytes)`,
      );
    }
  }
  return { name, manifest, documentsPath, documents: lines };
}

/** One line's own consistency: the body is what its digest says, and the id is the one the pipeline derives. */
function checkDocument(document: ArchivedDocument, line: number, file: string): void {
  const bytes = Buffer.from(document.body, 'utf8');
  const digest = sha256Hex(bytes);
  if (digest !== document.sha256) {
    throw new ArchiveError(file, `the body of ${document.id} has SHA-256 ${digest}, the line says ${document.sha256}`, line);
  }
  if (bytes.byteLength !== document.sizeBytes) {
    throw new ArchiveError(file, `the body of ${document.id} is ${bytes.byteLength} bytes, the line says ${document.sizeBytes}`, line);
  }
  const id = documentIdFor(document.url, document.sha256);
  if (id !== document.id) throw new ArchiveError(file, `id ${document.id} does not derive from its url and body (expected ${id})`, line);
}

/**
 * Puts archives back through ingest's batch endpoint: every archive is verified first (nothing is
 * sent from a corrupt one), then its documents go in batches, each answered id checked against
 * the archive. Documents keep their ids, so running it twice changes nothing.
 */
export async function runRestore(options: RestoreOptions): Promise<RestoreResult> {
  const started = Date.now();
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'docflow-restore-')));
  try {
    const names = await resolveArchives(options.store);
    let checked = 0;
    const verified: VerifiedArchive[] = [];
    for (const name of names) {
      verified.push(
        await verifyArchive(options.store, name, workDir, () => {
          checked += 1;
          if (checked % 100 === 0) options.onProgress?.({ phase: 'verifying', documents: checked, total: 0 });
        }),
      );
    }
    const total = verified.reduce((sum, archive) => sum + archive.documents, 0);
    const sent = await sendAll(options, verified, total);
    return {
      location: options.store.location,
      archives: verified.map((archive) => ({
        name: archive.name,
        documents: archive.documents,
        since: archive.manifest.since,
        exportedAt: archive.manifest.exportedAt,
      })),
      documents: sent.documents,
      batches: sent.batches,
      elapsedMs: Date.now() - started,
    };
  } finally {
    if (options.workDir === undefined) await rm(workDir, { recursive: true, force: true });
  }
}

interface Batch {
  readonly archive: string;
  readonly firstLine: number;
  readonly documents: ArchivedDocument[];
  readonly requests: IngestDocumentRequest[];
}

/** What ingest is sent for an archived document: the body as stored, so the id comes out the same. */
function requestOf(document: ArchivedDocument): IngestDocumentRequest {
  return {
    url: document.url,
    contentType: document.contentType,
    body: document.body,
    ...(document.title !== null ? { title: document.title } : {}),
  };
}

/** Batches of at most MAX_BATCH_DOCUMENTS and of a JSON size ingest accepts, in archive order. */
async function* batchesOf(archives: readonly VerifiedArchive[], maxDocuments: number): AsyncGenerator<Batch> {
  const budget = MAX_BATCH_REQUEST_BYTES - BATCH_ENVELOPE_BYTES;
  for (const archive of archives) {
    let batch: Batch | undefined;
    let bytes = 0;
    for await (const { document, line } of readArchivedDocuments(archive.documentsPath, keyOf(archive.name, DOCUMENTS_FILE))) {
      const request = requestOf(document);
      const size = Buffer.byteLength(JSON.stringify(request)) + 1;
      if (batch !== undefined && (batch.requests.length >= maxDocuments || bytes + size > budget)) {
        yield batch;
        batch = undefined;
      }
      if (batch === undefined) {
        batch = { archive: archive.name, firstLine: line, documents: [], requests: [] };
        bytes = 0;
      }
      batch.documents.push(document);
      batch.requests.push(request);
      bytes += size;
    }
    if (batch !== undefined) yield batch;
  }
}

async function sendAll(options: RestoreOptions, archives: readonly VerifiedArchive[], total: number): Promise<{ documents: number; batches: number }> {
  const concurrency = options.concurrency ?? 4;
  const acknowledged = new Map<string, Set<number>>(archives.map((archive) => [archive.name, new Set<number>()]));
  let accepted = 0;
  let batches = 0;
  let failure: Error | undefined;
  const inFlight = new Set<Promise<void>>();

  const send = async (batch: Batch) => {
    const answers = await options.ingest.batch(batch.requests);
    answers.forEach((answer, index) => {
      const document = batch.documents[index] as ArchivedDocument;
      if (answer.documentId !== document.id) {
        throw new ArchiveError(
          keyOf(batch.archive, DOCUMENTS_FILE),
          `ingest gave the id ${answer.documentId} to ${document.id} (ids must not change; is ingest a different version?)`,
          batch.firstLine + index,
        );
      }
    });
    const lines = acknowledged.get(batch.archive) as Set<number>;
    for (let index = 0; index < batch.documents.length; index += 1) lines.add(batch.firstLine + index);
    accepted += batch.documents.length;
    batches += 1;
    options.onProgress?.({ phase: 'sending', documents: accepted, total });
  };

  for await (const batch of batchesOf(archives, Math.min(options.batchDocuments ?? MAX_BATCH_DOCUMENTS, MAX_BATCH_DOCUMENTS))) {
    if (failure !== undefined) break;
    const task: Promise<void> = send(batch)
      .catch((error: Error) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure !== undefined) {
    // a refused key is refused for every batch: that alone is the message
    if (failure instanceof ApiKeyRefusedError && accepted === 0) throw failure;
    throw new RestoreIncompleteError(accepted, total, contiguous(archives, acknowledged), failure);
  }
  return { documents: accepted, batches };
}

/** Per archive, how far from line 1 every line was accepted (batches finish out of order). */
function contiguous(archives: readonly VerifiedArchive[], acknowledged: Map<string, Set<number>>) {
  return archives.flatMap((archive) => {
    const lines = acknowledged.get(archive.name) ?? new Set<number>();
    let through = 0;
    while (lines.has(through + 1)) through += 1;
    return through > 0 ? [{ archive: archive.name, throughLine: through }] : [];
  });
}
