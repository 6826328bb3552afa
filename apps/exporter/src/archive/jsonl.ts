import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip } from 'node:zlib';
import { ArchiveError, parseArchivedDocument, type ArchiveFile, type ArchivedDocument } from './format.js';

/**
 * Writes JSON lines into one gzip member. Gzip members may be concatenated and still form one
 * valid gzip file (RFC 1952, and what `gunzip` and zlib read), which is how the parts of a
 * resumable export become `documents.jsonl.gz`.
 */
export class GzipLineWriter {
  private readonly gzip = createGzip();
  private readonly file;
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private uncompressed = 0;
  private lines = 0;
  private readonly done: Promise<void>;

  constructor(readonly path: string) {
    this.file = createWriteStream(path);
    this.gzip.on('data', (chunk: Buffer) => {
      this.hash.update(chunk);
      this.bytes += chunk.byteLength;
    });
    this.gzip.pipe(this.file);
    this.done = once(this.file, 'close').then(() => undefined);
    this.file.on('error', (error) => this.gzip.destroy(error));
  }

  get lineCount(): number {
    return this.lines;
  }

  /** Bytes of JSON written so far (before compression). */
  get uncompressedBytes(): number {
    return this.uncompressed;
  }

  async write(document: ArchivedDocument): Promise<void> {
    const line = `${JSON.stringify(document)}\n`;
    this.uncompressed += Buffer.byteLength(line);
    this.lines += 1;
    if (!this.gzip.write(line)) await once(this.gzip, 'drain');
  }

  /** Ends the member and the file; the digest and size of what reached the disk. */
  async close(): Promise<ArchiveFile> {
    this.gzip.end();
    await this.done;
    return { sha256: this.hash.digest('hex'), bytes: this.bytes };
  }
}

/**
 * Every line of a (possibly multi-member) gzip file of JSON lines, parsed, with its 1-based line
 * number. A file that ends inside a gzip member, or is not gzip, stops the reading with an
 * ArchiveError naming the file and the last complete line.
 */
export async function* readArchivedDocuments(path: string, file: string): AsyncGenerator<{ document: ArchivedDocument; line: number }> {
  let lineNumber = 0;
  let pending = '';
  const decoder = new StringDecoder('utf8');
  const gunzip = createReadStream(path).pipe(createGunzip());
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      pending += decoder.write(chunk);
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        lineNumber += 1;
        yield { document: parseArchivedDocument(pending.slice(0, newline), lineNumber, file), line: lineNumber };
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    }
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    const reason = (error as Error).message;
    throw new ArchiveError(file, `truncated or corrupt gzip after line ${lineNumber} (${reason})`, lineNumber + 1);
  } finally {
    gunzip.destroy();
  }
  pending += decoder.end();
  if (pending.length > 0) {
    // every line the exporter writes ends with a newline: a last line without one was cut off
    throw new ArchiveError(file, 'the last line is incomplete (no newline at the end of the file)', lineNumber + 1);
  }
}

/** SHA-256 and size of a file, streamed. */
export async function digestFile(path: string): Promise<ArchiveFile> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), bytes: (await stat(path)).size };
}

/** Concatenates files (gzip members) into one, and answers its digest and size. */
export async function concatenateFiles(sources: readonly string[], target: string): Promise<ArchiveFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  const out = createWriteStream(target);
  const closed = once(out, 'close');
  try {
    for (const source of sources) {
      for await (const chunk of createReadStream(source)) {
        const buffer = chunk as Buffer;
        hash.update(buffer);
        bytes += buffer.byteLength;
        if (!out.write(buffer)) await once(out, 'drain');
      }
    }
  } finally {
    out.end();
  }
  await closed;
  return { sha256: hash.digest('hex'), bytes };
}
