import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { EpubCheck } from '@likecoin/epubcheck-ts';
import type { DocumentList, IngestDocumentRequest } from '@docflow/contracts';
import { DocumentsRepository, createPool } from '@docflow/db';
import { documentFixture } from '@docflow/db/testing';
import { captureLogs } from '@docflow/observability/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, parseManifest, type ArchivedDocument, type Manifest } from './archive/format.js';
import { ApiClient } from './clients/api-client.js';
import { ServiceClient, type RetryPolicy } from './clients/http.js';
import { IngestClient } from './clients/ingest-client.js';
import { ExportInterruptedError, runExport } from './export.js';
import { runRestore, RestoreIncompleteError, verifyArchive } from './restore.js';
import { LocalStore } from './storage/local.js';
import { CreateOnlyStore } from './test/create-only-store.js';
import { useFaultProxy } from './test/fault-proxy.js';
import { API_KEY, sampleDocuments, startPipeline, type Pipeline } from './test/pipeline.js';

/**
 * Export and restore against the real pipeline (the api, ingest and worker bundles on PostgreSQL
 * and the SQS/S3 emulator). The tests run in order and build on each other: a collection, its
 * export, a wiped environment, the restore, then incremental exports, interruptions and faults.
 */
let pipeline: Pipeline;
let scratch: string;
const originals: IngestDocumentRequest[] = sampleDocuments('cycle', 12);
let originalIds: string[] = [];
const FAST: RetryPolicy = { maxAttempts: 6, timeoutMs: 5_000, baseDelayMs: 5, maxDelayMs: 20 };

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'docflow-cycle-'));
  pipeline = await startPipeline();
  originalIds = await pipeline.ingest(originals);
  await pipeline.waitForDocuments(originals.length);
  // a document the worker gave up on: listed as failed, with no body to archive
  const pool = createPool({ url: pipeline.databaseUrl(), ssl: 'disable', poolMax: 1, statementTimeoutMs: 10_000, migrate: false }, { logger: captureLogs().logger });
  await new DocumentsRepository(pool).markFailed({ ...documentFixture({ text: 'never readable' }), error: 'body is gone' });
  await pool.end();
}, 180_000);

afterAll(async () => {
  await pipeline?.stop();
  await rm(scratch, { recursive: true, force: true });
});

function api(url = pipeline.apiUrl, policy: RetryPolicy = FAST, key = API_KEY): ApiClient {
  return new ApiClient(new ServiceClient('api', url, key, policy));
}

function ingest(url = pipeline.ingestUrl, policy: RetryPolicy = FAST): IngestClient {
  return new IngestClient(new ServiceClient('ingest', url, API_KEY, policy));
}

async function linesOf(archiveDir: string): Promise<ArchivedDocument[]> {
  const text = gunzipSync(await readFile(join(archiveDir, 'documents.jsonl.gz'))).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as ArchivedDocument);
}

async function manifestOf(archiveDir: string): Promise<Manifest> {
  return parseManifest(await readFile(join(archiveDir, 'manifest.json'), 'utf8'));
}

/** What a person would compare: every document's id, title, url and text, and the results of a few searches. */
async function snapshot(): Promise<{ documents: unknown[]; searches: Record<string, string[]> }> {
  const documents = (await pipeline.listAll())
    .filter((item) => item.status === 'processed')
    .map((item) => item.id)
    .sort();
  const full = await Promise.all(
    documents.map(async (id) => {
      const document = await pipeline.get<{ id: string; title: string | null; url: string; text: string; sha256: string; contentType: string }>(`/v1/documents/${id}`);
      return { id: document.id, title: document.title, url: document.url, text: document.text, sha256: document.sha256, contentType: document.contentType };
    }),
  );
  const searches: Record<string, string[]> = {};
  for (const q of ['tides', 'markdown bold', 'plain text', 'cycleword4', '"second paragraph"']) {
    const list = await pipeline.get<DocumentList>(`/v1/documents?q=${encodeURIComponent(q)}&limit=100`);
    searches[q] = list.items.map((item) => `${item.id}:${item.title}`);
  }
  return { documents: full, searches };
}

let fullArchive: string;
let before: Awaited<ReturnType<typeof snapshot>>;

describe('export, wipe, restore: the round trip', () => {
  it('exports every processed document to a folder: JSONL with bodies, a valid EPUB, a manifest written last', async () => {
    const result = await runExport({ api: api(), store: new LocalStore(join(scratch, 'archives')) });
    fullArchive = result.archive;
    expect(result).toMatchObject({ documents: 12, skippedFailed: 1, skippedMissingBody: 0, resumed: false, since: null });

    const lines = await linesOf(fullArchive);
    expect(lines.map((line) => line.id).sort()).toEqual([...originalIds].sort());
    for (const line of lines) {
      const original = originals[originalIds.indexOf(line.id)];
      expect(line.body).toBe(original?.body);
      expect(line.url).toBe(original?.url);
    }
    const manifest = await manifestOf(fullArchive);
    expect(manifest).toMatchObject({ formatVersion: 1, apiUrl: pipeline.apiUrl, counts: { documents: 12, skippedFailed: 1 }, since: null });
    expect(manifest.watermark).not.toBeNull();
    const epub = await EpubCheck.validate(await readFile(join(fullArchive, 'documents.epub')));
    expect(epub.messages.map((message) => `${message.id} ${message.message}`)).toEqual([]);
  });

  it('after a wipe, restore brings back the same ids, titles, texts and search results once the worker has run', async () => {
    before = await snapshot();
    expect(before.documents).toHaveLength(12);
    await pipeline.wipe();
    expect(await pipeline.listAll()).toEqual([]);

    const result = await runRestore({ ingest: ingest(), store: new LocalStore(fullArchive) });
    expect(result).toMatchObject({ documents: 12, batches: 1, archives: [{ name: '', documents: 12 }] });
    await pipeline.waitForDocuments(12);

    expect(await snapshot()).toEqual(before);
  }, 120_000);

  it('restoring the same archive again changes nothing: the same twelve documents', async () => {
    await runRestore({ ingest: ingest(), store: new LocalStore(fullArchive) });
    await expect.poll(() => pipeline.emulator.messages('queue').length, { timeout: 30_000 }).toBe(0);
    expect(await snapshot()).toEqual(before);
  }, 60_000);
});

describe('incremental exports', () => {
  let newIds: string[] = [];

  it('--since last exports only what was processed after the previous archive, and a folder restores the chain', async () => {
    // the restores above had every document processed again: the chain starts with a full export made now
    const store = new LocalStore(join(scratch, 'chain'));
    const full = await runExport({ api: api(), store });
    expect(full.documents).toBe(12);
    newIds = await pipeline.ingest(sampleDocuments('later', 3));
    await pipeline.waitForDocuments(15);

    const result = await runExport({ api: api(), store, since: 'last', sinceLastOverlapMs: 0 });
    const watermark = (await manifestOf(full.archive)).watermark;
    expect(result.since).toBe(watermark);
    expect(result.sinceNote).toContain(full.name);
    // the new documents, and (since is inclusive) any processed exactly at the watermark; nothing older
    const lines = await linesOf(result.archive);
    expect(lines.map((line) => line.id)).toEqual(expect.arrayContaining(newIds));
    expect(lines.filter((line) => !newIds.includes(line.id)).every((line) => line.processedAt === watermark)).toBe(true);
    expect(result.documents + result.skippedOlder).toBe(15);

    await pipeline.wipe();
    const restored = await runRestore({ ingest: ingest(), store });
    expect(restored.archives.map((archive) => [archive.name, archive.documents, archive.since === null])).toEqual([
      [full.name, 12, true],
      [result.name, result.documents, false],
    ]);
    await pipeline.waitForDocuments(15);
    expect((await pipeline.listAll()).map((item) => item.id).sort()).toEqual([...originalIds, ...newIds].sort());
  }, 120_000);

  it('--since <time> exports only documents processed at or after it', async () => {
    const processed = (await pipeline.listAll()).map((item) => item.processedAt).sort();
    const cut = processed[processed.length - 5] as string;
    const result = await runExport({ api: api(), store: new LocalStore(join(scratch, 'since-time')), since: new Date(cut) });
    expect(result.documents).toBe(processed.filter((at) => at >= cut).length);
    expect(result.documents).toBeLessThan(processed.length);
    expect((await linesOf(result.archive)).every((line) => line.processedAt >= cut)).toBe(true);
  });
});

describe('when the api fails during an export', () => {
  const proxyOf = useFaultProxy(() => pipeline.apiUrl);

  it('an interrupted export stops with its progress stored, and the same command continues from its last cursor', async () => {
    const store = new LocalStore(join(scratch, 'interrupted'));
    const options = { store, pageSize: 4, partDocuments: 4 } as const;
    // the third page never comes: the api answers 503 to every listing request from then on
    let listings = 0;
    proxyOf().setRule(({ url }) => (url.startsWith('/v1/documents?') && ++listings >= 3 ? { status: 503 } : 'forward'));
    const failed = runExport({ ...options, api: api(proxyOf().url, { ...FAST, maxAttempts: 2 }) });
    await expect(failed).rejects.toBeInstanceOf(ExportInterruptedError);
    await expect(failed).rejects.toThrow(/stopped with 8 documents stored \(api at .* did not answer after 2 attempts \(last: 503 injected by the fault proxy\)\); run the same command again/);

    const stored = JSON.parse((await store.readText(`${(await store.listFolders())[0]}/export-state.json`)) ?? '{}') as { cursor: string; parts: unknown[] };
    expect(stored.parts).toHaveLength(2);
    proxyOf().requests.splice(0);
    proxyOf().setRule(() => 'forward');
    const resumed = await runExport({ ...options, api: api(proxyOf().url) });

    expect(resumed).toMatchObject({ resumed: true, resumedDocuments: 8, documents: 15 });
    const firstListing = proxyOf().requests.find((request) => request.url.startsWith('/v1/documents?'));
    expect(firstListing?.url).toContain(`cursor=${encodeURIComponent(stored.cursor)}`);
    const ids = (await linesOf(resumed.archive)).map((line) => line.id);
    expect(new Set(ids).size).toBe(15);
    expect([...ids].sort()).toEqual((await pipeline.listAll()).filter((item) => item.status === 'processed').map((item) => item.id).sort());
    expect(await store.readText(`${resumed.name}/export-state.json`)).toBeUndefined();
  }, 60_000);

  it('rides out 5xx answers and a stalled request with back-off, and the archive is complete', async () => {
    let stalledOnce = false;
    proxyOf().setRule(({ n }) => {
      if (n % 4 === 0) return { status: n % 8 === 0 ? 502 : 503 };
      if (n === 6 && !stalledOnce) {
        stalledOnce = true;
        return 'stall';
      }
      return 'forward';
    });
    const client = new ServiceClient('api', proxyOf().url, API_KEY, { ...FAST, timeoutMs: 1_000 });
    const result = await runExport({ api: new ApiClient(client), store: new LocalStore(join(scratch, 'faulty')), concurrency: 2 });

    expect(result.documents).toBe(15);
    expect(client.retries).toBeGreaterThanOrEqual(3);
    expect(proxyOf().requests.map((request) => request.outcome)).toEqual(expect.arrayContaining([503, 502, 'stalled']));
    expect((await linesOf(result.archive)).map((line) => line.id).sort()).toEqual(
      (await pipeline.listAll()).filter((item) => item.status === 'processed').map((item) => item.id).sort(),
    );
  }, 60_000);
});

describe('with a work location of its own (--work): the destination only receives the finished files, each once', () => {
  const proxyOf = useFaultProxy(() => pipeline.apiUrl);
  const processedIds = async () => (await pipeline.listAll()).filter((item) => item.status === 'processed').map((item) => item.id).sort();

  it('a full export, then --since last: the destination is never listed, read, overwritten or deleted from', async () => {
    const destination = new CreateOnlyStore(new LocalStore(join(scratch, 'retained')));
    const work = new LocalStore(join(scratch, 'work'));
    const full = await runExport({ api: api(), store: destination, work, pageSize: 4, partDocuments: 4 });
    expect(full.documents).toBe(15);
    expect(destination.written).toEqual([`${full.name}/documents.jsonl.gz`, `${full.name}/documents.epub`, `${full.name}/manifest.json`]);
    // the work location keeps only the manifest (for --since last): no parts, no progress
    expect(await work.listFolders()).toEqual([full.name]);
    expect(await work.readText(`${full.name}/export-state.json`)).toBeUndefined();
    expect(await work.readText(`${full.name}/manifest.json`)).toBe(await readFile(join(scratch, 'retained', full.name, 'manifest.json'), 'utf8'));
    expect((await linesOf(full.archive)).map((line) => line.id).sort()).toEqual(await processedIds());

    const next = await runExport({ api: api(), store: destination, work, since: 'last' });
    expect(next.sinceNote).toContain(full.name);
    expect(next.since).toBe(new Date(Date.parse((await manifestOf(full.archive)).watermark as string) - 60_000).toISOString());
    expect(destination.written.slice(3)).toEqual([`${next.name}/documents.jsonl.gz`, `${next.name}/documents.epub`, `${next.name}/manifest.json`]);
  }, 60_000);

  it('an export interrupted while listing continues from the progress in the work location', async () => {
    const destination = new CreateOnlyStore(new LocalStore(join(scratch, 'retained-interrupted')));
    const work = new LocalStore(join(scratch, 'work-interrupted'));
    const options = { store: destination, work, pageSize: 4, partDocuments: 4 } as const;
    let listings = 0;
    proxyOf().setRule(({ url }) => (url.startsWith('/v1/documents?') && ++listings >= 3 ? { status: 503 } : 'forward'));
    await expect(runExport({ ...options, api: api(proxyOf().url, { ...FAST, maxAttempts: 2 }) })).rejects.toBeInstanceOf(ExportInterruptedError);
    expect(destination.written).toEqual([]);

    proxyOf().setRule(() => 'forward');
    const resumed = await runExport({ ...options, api: api(proxyOf().url) });
    expect(resumed).toMatchObject({ resumed: true, resumedDocuments: 8, documents: 15 });
    expect(destination.written).toEqual([`${resumed.name}/documents.jsonl.gz`, `${resumed.name}/documents.epub`, `${resumed.name}/manifest.json`]);
  }, 60_000);

  it('an export interrupted between its files uploads only what is missing, and the archive verifies', async () => {
    const destination = new CreateOnlyStore(new LocalStore(join(scratch, 'retained-between')));
    const work = new LocalStore(join(scratch, 'work-between'));
    destination.failUpload('documents.epub');
    const failed = runExport({ api: api(), store: destination, work });
    await expect(failed).rejects.toThrow(/stopped with 15 documents stored \(create-only destination: upload of .*documents\.epub failed \(injected\)\)/);
    const name = (await work.listFolders())[0] as string;
    expect(destination.written).toEqual([`${name}/documents.jsonl.gz`]);

    const resumed = await runExport({ api: api(), store: destination, work });
    expect(resumed).toMatchObject({ name, resumed: true, documents: 15 });
    // documents.jsonl.gz is not written again (the destination would refuse it)
    expect(destination.written).toEqual([`${name}/documents.jsonl.gz`, `${name}/documents.epub`, `${name}/manifest.json`]);
    const verified = await verifyArchive(new LocalStore(join(scratch, 'retained-between')), name, await mkdtemp(join(scratch, 'verify-')));
    expect(verified.documents).toBe(15);
  }, 60_000);
});

describe('when ingest fails during a restore', () => {
  const proxyOf = useFaultProxy(() => pipeline.ingestUrl);

  it('503 answers are retried with back-off until every batch is accepted', async () => {
    let posts = 0;
    proxyOf().setRule(({ method }) => (method === 'POST' && ++posts <= 2 ? { status: 503 } : 'forward'));
    const client = new ServiceClient('ingest', proxyOf().url, API_KEY, FAST);
    const result = await runRestore({ ingest: new IngestClient(client), store: new LocalStore(fullArchive) });
    expect(result.documents).toBe(12);
    expect(client.retries).toBe(2);
    expect(proxyOf().requests.map((request) => request.outcome)).toEqual([503, 503, 202]);
  });

  it('an ingest that stays down: the error says exactly which lines were restored', async () => {
    let posts = 0;
    // batches of one document: the first two are accepted, then ingest answers 503 for good
    proxyOf().setRule(({ method }) => (method === 'POST' && ++posts > 2 ? { status: 503 } : 'forward'));
    const failed = runRestore({
      ingest: new IngestClient(new ServiceClient('ingest', proxyOf().url, API_KEY, { ...FAST, maxAttempts: 2 })),
      store: new LocalStore(fullArchive),
      concurrency: 1,
      batchDocuments: 1,
    });
    await expect(failed).rejects.toBeInstanceOf(RestoreIncompleteError);
    await expect(failed).rejects.toThrow(/^restored 2 of 12 documents \(documents\.jsonl\.gz: lines 1-2\), then: ingest at .* did not answer after 2 attempts/);
  });
});

describe('a corrupted archive stops the restore before anything is sent, naming the file and the line', () => {
  const proxyOf = useFaultProxy(() => pipeline.ingestUrl);

  async function corrupted(name: string, change: (dir: string) => Promise<void>): Promise<string> {
    const dir = join(scratch, 'corrupted', name);
    await cp(fullArchive, dir, { recursive: true });
    await change(dir);
    return dir;
  }

  async function rewriteLines(dir: string, edit: (lines: ArchivedDocument[]) => void): Promise<void> {
    const lines = await linesOf(dir);
    edit(lines);
    await writeFile(join(dir, 'documents.jsonl.gz'), gzipSync(`${lines.map((line) => JSON.stringify(line)).join('\n')}\n`));
  }

  async function expectRefused(dir: string, message: string | RegExp): Promise<ArchiveError> {
    const restore = runRestore({ ingest: ingest(proxyOf().url), store: new LocalStore(dir) });
    await expect(restore).rejects.toBeInstanceOf(ArchiveError);
    const error = (await restore.catch((caught: unknown) => caught)) as ArchiveError;
    expect(error.message).toMatch(message);
    expect(proxyOf().requests).toEqual([]);
    return error;
  }

  it('a body that does not match its sha256', async () => {
    const dir = await corrupted('sha', (d) => rewriteLines(d, (lines) => ((lines[6] as ArchivedDocument).body += ' tampered')));
    const error = await expectRefused(dir, /^documents\.jsonl\.gz line 7: the body of [0-9a-f]{32} has SHA-256 [0-9a-f]{64}, the line says [0-9a-f]{64}$/);
    expect(error).toMatchObject({ file: 'documents.jsonl.gz', line: 7 });
  });

  it('a file changed after the export, though each line is consistent (a title edited)', async () => {
    const dir = await corrupted('edited', (d) => rewriteLines(d, (lines) => ((lines[0] as ArchivedDocument).title = 'Edited')));
    await expectRefused(dir, /^documents\.jsonl\.gz: SHA-256 [0-9a-f]{64} \(\d+ bytes\) does not match manifest\.json/);
  });

  it('a truncated gzip', async () => {
    const dir = await corrupted('truncated', async (d) => {
      const bytes = await readFile(join(d, 'documents.jsonl.gz'));
      await writeFile(join(d, 'documents.jsonl.gz'), bytes.subarray(0, Math.floor(bytes.byteLength / 2)));
    });
    await expectRefused(dir, /^documents\.jsonl\.gz line \d+: truncated or corrupt gzip after line \d+ \(unexpected end of file\)$/);
  });

  it('an unknown manifest version', async () => {
    const dir = await corrupted('version', async (d) => {
      const manifest = JSON.parse(await readFile(join(d, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(join(d, 'manifest.json'), JSON.stringify({ ...manifest, formatVersion: 2 }));
    });
    await expectRefused(dir, 'manifest.json: unknown format version 2 (this exporter reads version 1)');
  });

  it('a damaged EPUB (its sha256 is in the manifest too)', async () => {
    const dir = await corrupted('epub', async (d) => {
      const bytes = await readFile(join(d, 'documents.epub'));
      bytes[bytes.byteLength - 10] = (bytes[bytes.byteLength - 10] ?? 0) ^ 0xff;
      await writeFile(join(d, 'documents.epub'), bytes);
    });
    await expectRefused(dir, /^documents\.epub: SHA-256 [0-9a-f]{64} \(\d+ bytes\) does not match manifest\.json/);
  });
});
