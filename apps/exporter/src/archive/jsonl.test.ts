import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { documentIdFor, sha256Hex } from '@docflow/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, parseManifest, type ArchivedDocument } from './format.js';
import { concatenateFiles, digestFile, GzipLineWriter, readArchivedDocuments } from './jsonl.js';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'docflow-jsonl-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function document(i: number): ArchivedDocument {
  const body = `body ${i} with a newline\nand "quotes"`;
  const sha256 = sha256Hex(body);
  const url = `https://example.com/${i}`;
  return {
    id: documentIdFor(url, sha256),
    url,
    contentType: 'text/plain',
    title: `Title ${i}`,
    sha256,
    sizeBytes: Buffer.byteLength(body),
    receivedAt: '2026-05-01T10:00:00.000Z',
    processedAt: '2026-05-01T10:00:01.000Z',
    text: body,
    body,
  };
}

async function part(name: string, from: number, count: number): Promise<string> {
  const writer = new GzipLineWriter(join(scratch, name));
  for (let i = from; i < from + count; i += 1) await writer.write(document(i));
  const file = await writer.close();
  expect(file).toEqual(await digestFile(writer.path));
  return writer.path;
}

async function readAll(path: string): Promise<number[]> {
  const lines: number[] = [];
  for await (const { document: doc, line } of readArchivedDocuments(path, 'documents.jsonl.gz')) {
    expect(doc).toEqual(document(line - 1));
    lines.push(line);
  }
  return lines;
}

describe('documents.jsonl.gz', () => {
  it('is the parts concatenated: one gzip file of every line, numbered across the parts', async () => {
    const parts = [await part('p1.gz', 0, 3), await part('p2.gz', 3, 2)];
    const joined = join(scratch, 'documents.jsonl.gz');
    const file = await concatenateFiles(parts, joined);
    expect(file).toEqual(await digestFile(joined));
    expect(await readAll(joined)).toEqual([1, 2, 3, 4, 5]);
    // any gzip reader sees one stream of lines
    expect(gunzipSync(await readFile(joined)).toString('utf8').split('\n')).toHaveLength(6);
  });

  it('names the file and the line after which a truncated gzip ends', async () => {
    const path = await part('truncated.gz', 0, 50);
    const { bytes } = await digestFile(path);
    await truncate(path, Math.floor(bytes * 0.6));
    const read = readAll(path);
    await expect(read).rejects.toBeInstanceOf(ArchiveError);
    await expect(read).rejects.toThrow(/^documents\.jsonl\.gz line \d+: truncated or corrupt gzip after line \d+ \(unexpected end of file\)$/);
  });

  it('names the line that is not JSON or breaks the format', async () => {
    const writer = new GzipLineWriter(join(scratch, 'bad-line.gz'));
    await writer.write(document(0));
    await writer.write({ ...document(1), sha256: 'not a digest' });
    await writer.close();
    await expect(readAll(writer.path)).rejects.toThrow('documents.jsonl.gz line 2: sha256: must be a SHA-256 digest in lowercase hex');
  });

  it('refuses a file that is not gzip at all', async () => {
    const path = join(scratch, 'plain.jsonl');
    await writeFile(path, `${JSON.stringify(document(0))}\n`);
    await expect(readAll(path)).rejects.toThrow(/^documents\.jsonl\.gz line 1: truncated or corrupt gzip after line 0 \(incorrect header check\)$/);
  });
});

describe('manifest.json', () => {
  it('names an unknown format version before looking at anything else', () => {
    expect(() => parseManifest(JSON.stringify({ format: 'docflow-archive', formatVersion: 2 }))).toThrow(
      'manifest.json: unknown format version 2 (this exporter reads version 1)',
    );
    expect(() => parseManifest('{"format":"something-else"}')).toThrow('manifest.json: is not a docflow archive manifest (format "something-else")');
    expect(() => parseManifest('{')).toThrow(/^manifest\.json: is not JSON/);
  });
});
