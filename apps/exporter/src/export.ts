import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex, type DocumentSummary } from '@docflow/contracts';
import { z } from 'zod';
import { writeEpub, type ChapterEntry } from './archive/epub.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  ArchiveFileSchema,
  DOCUMENTS_FILE,
  EPUB_FILE,
  EXPORT_STATE_FILE,
  MANIFEST_FILE,
  PARTS_FOLDER,
  parseManifest,
  type ArchiveFile,
  type ArchivedDocument,
  type Manifest,
} from './archive/format.js';
import { concatenateFiles, digestFile, GzipLineWriter, readArchivedDocuments } from './archive/jsonl.js';
import type { ApiClient } from './clients/api-client.js';
import { mapInOrder } from './pool.js';
import { keyOf, type ArchiveStore } from './storage/store.js';

/** Archives are named by their start time, so their names sort in time order. */
export const ARCHIVE_NAME = /^docflow-\d{8}T\d{6}Z$/;

/**
 * `--since last` starts this long before the previous export's watermark: a document whose
 * processing began before the watermark was read but committed after it would otherwise fall
 * between two exports. Exporting a few documents twice is harmless; restore is idempotent.
 */
export const SINCE_LAST_OVERLAP_MS = 60_000;

export interface ExportOptions {
  readonly api: ApiClient;
  /** Where the finished archive goes. */
  readonly store: ArchiveStore;
  /**
   * Where an unfinished export keeps its parts and progress, and where `--since last` finds the
   * previous export (a copy of each finished archive's manifest stays there). With a work store of
   * its own, `store` only ever receives the finished archive's three files, each written once,
   * and is never listed, read or deleted from: a bucket with a retention policy and a writer that
   * may only create objects (the Cloud Run job's) is enough.
   * @default - the same store: progress lives in the archive's folder and is removed at the end
   */
  readonly work?: ArchiveStore;
  /**
   * Only documents processed at or after this time; `last`: since the newest archive in the store.
   * @default - every document
   */
  readonly since?: Date | 'last';
  /**
   * How far before the previous watermark `--since last` starts.
   * @default SINCE_LAST_OVERLAP_MS (one minute)
   */
  readonly sinceLastOverlapMs?: number;
  /**
   * Documents per listing page.
   * @default DOCUMENT_LIST_MAX_LIMIT (100, the most the api gives)
   */
  readonly pageSize?: number;
  /**
   * Documents fetched at once (their text and body).
   * @default 8
   */
  readonly concurrency?: number;
  /**
   * Documents per part: the unit of progress that survives an interruption.
   * @default 1_000
   */
  readonly partDocuments?: number;
  /**
   * Uncompressed bytes after which a part is closed early.
   * @default 64 MiB
   */
  readonly partBytes?: number;
  /**
   * Pages after which a part is closed even when small (an incremental export skips most documents).
   * @default 20
   */
  readonly partPages?: number;
  /**
   * Local scratch folder (parts, the assembled files); removed at the end.
   * @default - a new folder under the OS temp dir
   */
  readonly workDir?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default - nothing */
  readonly onProgress?: (progress: ExportProgress) => void;
}

export interface ExportProgress {
  readonly phase: 'listing' | 'assembling' | 'uploading';
  /** Documents in the archive so far (resumed parts included). */
  readonly documents: number;
  readonly pages: number;
  readonly skipped: number;
}

export interface ExportResult {
  /** Where the archive is: the store's location and the archive's folder. */
  readonly archive: string;
  readonly name: string;
  /** Documents already in the archive from an earlier, interrupted run (0 for a fresh export). */
  readonly resumedDocuments: number;
  readonly resumed: boolean;
  readonly documents: number;
  readonly skippedFailed: number;
  readonly skippedMissingBody: number;
  readonly skippedOlder: number;
  /** Pages listed by this run. */
  readonly pages: number;
  readonly since: string | null;
  /** Why `since` is what it is, when `--since last` found something to say. */
  readonly sinceNote?: string;
  readonly watermark: string | null;
  readonly files: Manifest['files'];
  readonly elapsedMs: number;
  /** Of which: listing and fetching (this run), and joining the parts, writing the EPUB and uploading. */
  readonly listingMs: number;
  readonly assemblyMs: number;
}

const PartSchema = z.object({ name: z.string(), documents: z.number().int(), sha256: z.string(), bytes: z.number().int() });

const CountsSchema = z.object({
  documents: z.number().int(),
  skippedFailed: z.number().int(),
  skippedMissingBody: z.number().int(),
  skippedOlder: z.number().int(),
  pages: z.number().int(),
});
type Counts = z.infer<typeof CountsSchema>;

/** An unfinished export's progress, written after every part. */
const ExportStateSchema = z.object({
  v: z.literal(1),
  name: z.string(),
  apiUrl: z.string(),
  startedAt: z.iso.datetime(),
  /** What `--since` was given as (`last`, a time, or null), to tell a resumption from another command. */
  sinceSpec: z.string().nullable(),
  since: z.iso.datetime().nullable(),
  sinceNote: z.string().optional(),
  watermark: z.iso.datetime().nullable(),
  /** The api cursor after the last page of the last stored part; null before the first page. */
  cursor: z.string().nullable(),
  /** The cursor the last stored page was asked for with (null for the first page). */
  lastPageCursor: z.string().nullable(),
  listed: z.boolean(),
  parts: z.array(PartSchema),
  counts: CountsSchema,
  missingBodies: z.array(z.string()),
  /** When the archive was assembled: fixed by the first attempt, so a resumed assembly writes the same book. */
  exportedAt: z.iso.datetime().optional(),
  /** The archive's files already in the destination (written once, never again: it may refuse overwrites). */
  uploaded: z.record(z.string(), ArchiveFileSchema).optional(),
});
type ExportState = z.infer<typeof ExportStateSchema>;

/** Something about the store or the run that the user has to settle (an unfinished export of another command). */
export class ExportConflictError extends Error {
  override readonly name = 'ExportConflictError';
}

/** The export stopped after it had started its archive: its progress is stored, and the same command continues it. */
export class ExportInterruptedError extends Error {
  override readonly name = 'ExportInterruptedError';

  constructor(
    readonly archive: string,
    readonly documents: number,
    readonly reason: Error,
  ) {
    super(
      `the export into ${archive} stopped with ${documents} documents stored (${reason.message}); ` +
        'run the same command again to continue from its last cursor',
      { cause: reason },
    );
  }
}

/**
 * Exports every processed document (or those processed since a time) from the api into a new,
 * dated archive in the store: `documents.jsonl.gz` (document and body per line), `documents.epub`
 * and, last, `manifest.json`. Progress is stored in the archive's folder after every part, so a run
 * that stops for any reason is continued by the same command from its last cursor.
 */
export async function runExport(options: ExportOptions): Promise<ExportResult> {
  const started = Date.now();
  const now = options.now ?? (() => new Date());
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'docflow-export-')));
  await mkdir(workDir, { recursive: true });
  try {
    const { state, resumed } = await startOrResume(options, now());
    const resumedDocuments = state.counts.documents;
    const pagesBefore = state.counts.pages;
    const report = (phase: ExportProgress['phase']) =>
      options.onProgress?.({
        phase,
        documents: state.counts.documents,
        pages: state.counts.pages,
        skipped: state.counts.skippedFailed + state.counts.skippedMissingBody + state.counts.skippedOlder,
      });
    let manifest: Manifest;
    const listingStarted = Date.now();
    let assemblyStarted = listingStarted;
    try {
      if (!state.listed) await listAll(options, state, workDir, () => report('listing'));
      report('assembling');
      assemblyStarted = Date.now();
      manifest = await assemble(options, state, workDir, now, () => report('uploading'));
    } catch (error) {
      throw new ExportInterruptedError(keyOf(options.store.location, state.name), state.counts.documents, error as Error);
    }
    return {
      archive: `${options.store.location.replace(/\/$/, '')}/${state.name}`,
      name: state.name,
      resumed,
      resumedDocuments,
      documents: manifest.counts.documents,
      skippedFailed: manifest.counts.skippedFailed,
      skippedMissingBody: manifest.counts.skippedMissingBody,
      skippedOlder: state.counts.skippedOlder,
      pages: state.counts.pages - pagesBefore,
      since: state.since,
      ...(state.sinceNote !== undefined ? { sinceNote: state.sinceNote } : {}),
      watermark: state.watermark,
      files: manifest.files,
      elapsedMs: Date.now() - started,
      listingMs: assemblyStarted - listingStarted,
      assemblyMs: Date.now() - assemblyStarted,
    };
  } finally {
    if (options.workDir === undefined) await rm(workDir, { recursive: true, force: true });
  }
}

function sinceSpecOf(since: ExportOptions['since']): string | null {
  if (since === undefined) return null;
  return since === 'last' ? 'last' : since.toISOString();
}

/** Where progress lives: the work store, or the archive's own. */
function workStoreOf(options: ExportOptions): ArchiveStore {
  return options.work ?? options.store;
}

/** The unfinished export to continue (the newest archive folder, when it has progress and no manifest), or a new one. */
async function startOrResume(options: ExportOptions, startedAt: Date): Promise<{ state: ExportState; resumed: boolean }> {
  const { api } = options;
  const work = workStoreOf(options);
  const folders = (await work.listFolders()).filter((name) => ARCHIVE_NAME.test(name));
  const newest = folders.at(-1);
  const sinceSpec = sinceSpecOf(options.since);
  if (newest !== undefined && (await work.readText(keyOf(newest, MANIFEST_FILE))) === undefined) {
    const text = await work.readText(keyOf(newest, EXPORT_STATE_FILE));
    if (text !== undefined) {
      const state = ExportStateSchema.parse(JSON.parse(text));
      if (state.apiUrl !== api.baseUrl || state.sinceSpec !== sinceSpec) {
        throw new ExportConflictError(
          `${keyOf(work.location, newest)} is an unfinished export of ${state.apiUrl}` +
            `${state.sinceSpec !== null ? ` with --since ${state.sinceSpec}` : ''}; run that command again to finish it, or remove the folder`,
        );
      }
      return { state, resumed: true };
    }
  }
  const { since, sinceNote } = await resolveSince(options, folders);
  // the api's own clock: the next `--since last` starts from here, whatever this machine's clock says
  const { lastProcessedAt } = await api.stats();
  let name = `docflow-${startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}`;
  // two exports in the same second: the second waits for a name of its own rather than share a folder
  if (newest !== undefined && name <= newest) name = nextName(newest);
  const state: ExportState = {
    v: 1,
    name,
    apiUrl: api.baseUrl,
    startedAt: startedAt.toISOString(),
    sinceSpec,
    since,
    ...(sinceNote !== undefined ? { sinceNote } : {}),
    watermark: lastProcessedAt,
    cursor: null,
    lastPageCursor: null,
    listed: false,
    parts: [],
    counts: { documents: 0, skippedFailed: 0, skippedMissingBody: 0, skippedOlder: 0, pages: 0 },
    missingBodies: [],
  };
  await saveState(work, state);
  return { state, resumed: false };
}

function nextName(newest: string): string {
  const time = newest.slice('docflow-'.length);
  const date = new Date(`${time.slice(0, 4)}-${time.slice(4, 6)}-${time.slice(6, 8)}T${time.slice(9, 11)}:${time.slice(11, 13)}:${time.slice(13, 15)}Z`);
  return `docflow-${new Date(date.getTime() + 1_000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}`;
}

async function resolveSince(options: ExportOptions, folders: readonly string[]): Promise<{ since: string | null; sinceNote?: string }> {
  if (options.since === undefined) return { since: null };
  if (options.since instanceof Date) return { since: options.since.toISOString() };
  const work = workStoreOf(options);
  for (const folder of [...folders].reverse()) {
    const text = await work.readText(keyOf(folder, MANIFEST_FILE));
    if (text === undefined) continue;
    const manifest = parseManifest(text, keyOf(folder, MANIFEST_FILE));
    if (manifest.watermark === null) {
      return { since: null, sinceNote: `${folder} was exported when nothing was processed yet: exporting everything` };
    }
    const overlapMs = options.sinceLastOverlapMs ?? SINCE_LAST_OVERLAP_MS;
    const since = new Date(Date.parse(manifest.watermark) - overlapMs).toISOString();
    return { since, sinceNote: `since ${folder} (its watermark ${manifest.watermark}, less ${overlapMs / 1000} s)` };
  }
  return { since: null, sinceNote: `no earlier archive in ${work.location}: exporting everything` };
}

async function saveState(store: ArchiveStore, state: ExportState): Promise<void> {
  await store.writeText(keyOf(state.name, EXPORT_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

function partFileName(index: number): string {
  return `part-${String(index).padStart(6, '0')}.jsonl.gz`;
}

/** A listed document worth fetching, or why it is left out. */
type Decision = 'fetch' | 'failed' | 'older';

function decide(item: DocumentSummary, since: number | null): Decision {
  if (item.status === 'failed') return 'failed';
  if (since !== null && Date.parse(item.processedAt) < since) return 'older';
  return 'fetch';
}

/** Pages through the listing from the stored cursor, writing parts and storing progress after each. */
async function listAll(options: ExportOptions, state: ExportState, workDir: string, progress: () => void): Promise<void> {
  const { api } = options;
  const work = workStoreOf(options);
  const concurrency = options.concurrency ?? 8;
  const partDocuments = options.partDocuments ?? 1_000;
  const partBytes = options.partBytes ?? 64 * 1024 * 1024;
  const partPages = options.partPages ?? 20;
  const since = state.since === null ? null : Date.parse(state.since);

  let part: GzipLineWriter | undefined;
  let pending: Counts = { documents: 0, skippedFailed: 0, skippedMissingBody: 0, skippedOlder: 0, pages: 0 };
  let pendingMissing: string[] = [];
  let cursor = state.cursor;
  for (;;) {
    const pageCursor = cursor;
    const page = await api.list(pageCursor, options.pageSize);
    const decisions = page.items.map((item) => decide(item, since));
    const fetched = await mapInOrder(
      page.items.filter((_, index) => decisions[index] === 'fetch'),
      concurrency,
      (item) => fetchDocument(api, item),
    );
    part ??= new GzipLineWriter(join(workDir, partFileName(state.parts.length + 1)));
    for (const result of fetched) {
      if (result.kind === 'missing') {
        pending.skippedMissingBody += 1;
        pendingMissing.push(result.id);
      } else {
        await part.write(result.document);
        pending.documents += 1;
      }
    }
    pending.skippedFailed += decisions.filter((decision) => decision === 'failed').length;
    pending.skippedOlder += decisions.filter((decision) => decision === 'older').length;
    pending.pages += 1;
    cursor = page.nextCursor;
    progress();

    const last = cursor === null;
    if (last || part.lineCount >= partDocuments || part.uncompressedBytes >= partBytes || pending.pages >= partPages) {
      const lines = part.lineCount;
      const file = await part.close();
      if (lines > 0) {
        const name = partFileName(state.parts.length + 1);
        await work.upload(part.path, keyOf(state.name, PARTS_FOLDER, name), file);
        state.parts.push({ name, documents: lines, ...file });
      }
      state.cursor = cursor;
      state.lastPageCursor = pageCursor;
      state.listed = last;
      state.counts = addCounts(state.counts, pending);
      state.missingBodies.push(...pendingMissing);
      await saveState(work, state);
      part = undefined;
      pending = { documents: 0, skippedFailed: 0, skippedMissingBody: 0, skippedOlder: 0, pages: 0 };
      pendingMissing = [];
      progress();
    }
    if (last) return;
  }
}

function addCounts(a: Counts, b: Counts): Counts {
  return {
    documents: a.documents + b.documents,
    skippedFailed: a.skippedFailed + b.skippedFailed,
    skippedMissingBody: a.skippedMissingBody + b.skippedMissingBody,
    skippedOlder: a.skippedOlder + b.skippedOlder,
    pages: a.pages + b.pages,
  };
}

type Fetched = { kind: 'document'; document: ArchivedDocument } | { kind: 'missing'; id: string };

/** The document's text and its body; a body whose digest is not the document's stops the export. */
async function fetchDocument(api: ApiClient, item: DocumentSummary): Promise<Fetched> {
  const [document, body] = await Promise.all([api.get(item.id), api.body(item.id)]);
  if (document === undefined || body === undefined) return { kind: 'missing', id: item.id };
  const digest = sha256Hex(body);
  if (digest !== document.sha256) {
    throw new Error(`the api served a body for ${item.id} whose SHA-256 is ${digest}, not the document's ${document.sha256}`);
  }
  return {
    kind: 'document',
    document: {
      id: document.id,
      url: document.url,
      contentType: document.contentType,
      title: document.title,
      sha256: document.sha256,
      sizeBytes: document.sizeBytes,
      receivedAt: document.receivedAt,
      processedAt: document.processedAt,
      text: document.text,
      body: body.toString('utf8'),
    },
  };
}

/**
 * Joins the parts into documents.jsonl.gz, writes the book from it, uploads both, then the manifest.
 * Each file goes to the destination once: what was uploaded is recorded in the progress, so a
 * resumed assembly skips it (the destination may refuse an overwrite). The book's time is fixed
 * by the first attempt. The manifest is written last; only then do the parts and the progress go
 * (and, with a work store of its own, a copy of the manifest stays there for `--since last`).
 */
async function assemble(options: ExportOptions, state: ExportState, workDir: string, now: () => Date, uploading: () => void): Promise<Manifest> {
  const { store } = options;
  const work = workStoreOf(options);
  if (state.exportedAt === undefined) {
    state.exportedAt = now().toISOString();
    await saveState(work, state);
  }
  const exportedAt = new Date(state.exportedAt);
  const uploaded = (state.uploaded ??= {});

  const partPaths: string[] = [];
  for (const part of state.parts) {
    const path = join(workDir, part.name);
    const local = await digestFile(path).catch(() => undefined);
    // parts from an earlier run on another machine (or a scratch folder that is gone) come back from the work store
    if (local?.sha256 !== part.sha256) await work.download(keyOf(state.name, PARTS_FOLDER, part.name), path);
    partPaths.push(path);
  }
  const documentsPath = join(workDir, DOCUMENTS_FILE);
  const documentsFile = partPaths.length > 0 ? await concatenateFiles(partPaths, documentsPath) : await new GzipLineWriter(documentsPath).close();
  // the joined file holds them all: the scratch space (memory, on Cloud Run) is needed for the book now
  await Promise.all(partPaths.map((path) => rm(path, { force: true })));
  const recorded = uploaded[DOCUMENTS_FILE];
  if (recorded !== undefined && recorded.sha256 !== documentsFile.sha256) {
    throw new Error(`${DOCUMENTS_FILE} joined again from the parts has SHA-256 ${documentsFile.sha256}, the uploaded one ${recorded.sha256}`);
  }

  const chapters: ChapterEntry[] = [];
  for await (const { document } of readArchivedDocuments(documentsPath, DOCUMENTS_FILE)) {
    chapters.push({ id: document.id, title: document.title, url: document.url });
  }
  if (chapters.length !== state.counts.documents) {
    throw new Error(`the parts hold ${chapters.length} documents, the export's progress says ${state.counts.documents}`);
  }
  const epubPath = join(workDir, EPUB_FILE);
  if (uploaded[EPUB_FILE] === undefined) {
    const documents = (async function* () {
      for await (const { document } of readArchivedDocuments(documentsPath, DOCUMENTS_FILE)) yield document;
    })();
    await writeEpub(epubPath, { identity: state.name, title: `docflow archive ${state.name.slice('docflow-'.length)}`, modified: exportedAt }, chapters, documents);
  }

  uploading();
  for (const [name, path] of [
    [DOCUMENTS_FILE, documentsPath],
    [EPUB_FILE, epubPath],
  ] as const) {
    if (uploaded[name] !== undefined) continue;
    const file = name === DOCUMENTS_FILE ? documentsFile : await digestFile(path);
    await store.upload(path, keyOf(state.name, name), file);
    uploaded[name] = file;
    await saveState(work, state);
  }
  const manifest: Manifest = {
    format: ARCHIVE_FORMAT,
    formatVersion: ARCHIVE_FORMAT_VERSION,
    apiUrl: state.apiUrl,
    startedAt: state.startedAt,
    exportedAt: exportedAt.toISOString(),
    since: state.since,
    watermark: state.watermark,
    lastCursor: state.lastPageCursor,
    counts: {
      documents: state.counts.documents,
      skippedFailed: state.counts.skippedFailed,
      skippedMissingBody: state.counts.skippedMissingBody,
    },
    missingBodies: state.missingBodies,
    files: { [DOCUMENTS_FILE]: uploaded[DOCUMENTS_FILE] as ArchiveFile, [EPUB_FILE]: uploaded[EPUB_FILE] as ArchiveFile },
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  // the manifest makes the archive complete: only then do the parts and the progress go
  await store.writeText(keyOf(state.name, MANIFEST_FILE), manifestText);
  if (work !== store) await work.writeText(keyOf(state.name, MANIFEST_FILE), manifestText);
  await work.removeFolder(keyOf(state.name, PARTS_FOLDER));
  await work.remove(keyOf(state.name, EXPORT_STATE_FILE));
  return manifest;
}
