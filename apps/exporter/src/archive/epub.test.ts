import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EpubCheck } from '@likecoin/epubcheck-ts';
import { documentIdFor, sha256Hex } from '@docflow/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { chapterPath, writeEpub, type ChapterEntry } from './epub.js';
import type { ArchivedDocument } from './format.js';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'docflow-epub-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function archived(url: string, title: string | null, text: string): ArchivedDocument {
  const body = `<p>${text}</p>`;
  const sha256 = sha256Hex(body);
  return {
    id: documentIdFor(url, sha256),
    url,
    contentType: 'text/html',
    title,
    sha256,
    sizeBytes: Buffer.byteLength(body),
    receivedAt: '2026-05-01T10:00:00.000Z',
    processedAt: '2026-05-01T10:00:01.000Z',
    text,
    body,
  };
}

const documents = [
  archived('https://example.com/a?x=1&y=2', 'Tides <b>& "moons"</b>', 'First paragraph with <script>alert(1)</script> & more.\n\nSecond paragraph\nwith a line break.'),
  archived('https://example.com/b', null, 'Control characters \u0001\u0008 and \uFFFE vanish; a lone \uD800 surrogate too. Emoji 😀 and café stay.'),
  archived('https://example.com/c', 'Empty text', ''),
];

async function build(docs: readonly ArchivedDocument[], name: string): Promise<string> {
  const path = join(scratch, name);
  const chapters: ChapterEntry[] = docs.map(({ id, title, url }) => ({ id, title, url }));
  const iterator = (async function* () {
    yield* docs;
  })();
  await writeEpub(path, { identity: name, title: 'docflow archive test', modified: new Date('2026-05-01T10:00:00.123Z') }, chapters, iterator);
  return path;
}

interface Entry {
  readonly name: string;
  readonly compressionMethod: number;
  readonly extraFieldLength: number;
  readonly text: string;
}

/** Every entry of the zip in order, read with yauzl (an independent reader). */
async function entriesOf(path: string): Promise<Entry[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true }, (error, file) => (error ? reject(error) : resolve(file))),
  );
  const entries: Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          entries.push({
            name: entry.fileName,
            compressionMethod: entry.compressionMethod,
            extraFieldLength: entry.extraFieldLength,
            text: Buffer.concat(chunks).toString('utf8'),
          });
          zip.readEntry();
        });
      });
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return entries;
}

describe('the EPUB', () => {
  it('starts with the mimetype entry, stored uncompressed and without an extra field, in its first bytes', async () => {
    const path = await build(documents, 'first-bytes.epub');
    const raw = await readFile(path);
    // local file header: signature, then compression method at offset 8, name length at 26, extra length at 28
    expect(raw.readUInt32LE(0)).toBe(0x04034b50);
    expect(raw.readUInt16LE(8)).toBe(0);
    expect(raw.readUInt16LE(28)).toBe(0);
    expect(raw.subarray(30, 38).toString('ascii')).toBe('mimetype');
    expect(raw.subarray(38, 58).toString('ascii')).toBe('application/epub+zip');

    const [first] = await entriesOf(path);
    expect(first).toMatchObject({ name: 'mimetype', compressionMethod: 0, extraFieldLength: 0, text: 'application/epub+zip' });
  });

  it('has a container pointing at the package document, which lists the navigation and one chapter per document in order', async () => {
    const entries = await entriesOf(await build(documents, 'structure.epub'));
    const byName = new Map(entries.map((entry) => [entry.name, entry.text]));
    expect(byName.get('META-INF/container.xml')).toContain('full-path="EPUB/package.opf" media-type="application/oebps-package+xml"');

    const opf = byName.get('EPUB/package.opf') ?? '';
    expect(opf).toContain('<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid"');
    expect(opf).toContain('<meta property="dcterms:modified">2026-05-01T10:00:00Z</meta>');
    expect(opf).toContain('<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>');
    expect([...opf.matchAll(/<itemref idref="d([0-9a-f]{32})"\/>/g)].map((match) => match[1])).toEqual(documents.map((doc) => doc.id));

    const nav = byName.get('EPUB/nav.xhtml') ?? '';
    expect(nav).toContain('<nav epub:type="toc" id="toc">');
    expect([...nav.matchAll(/<a href="([^"]+)">([^<]*)<\/a>/g)].map((match) => [match[1], match[2]])).toEqual([
      [chapterPath(documents[0]?.id ?? ''), 'Tides &lt;b&gt;&amp; &quot;moons&quot;&lt;/b&gt;'],
      [chapterPath(documents[1]?.id ?? ''), 'https://example.com/b'],
      [chapterPath(documents[2]?.id ?? ''), 'Empty text'],
    ]);
    const chapters = entries.filter((entry) => entry.name.startsWith('EPUB/documents/'));
    expect(chapters.map((entry) => entry.name)).toEqual(documents.map((doc) => `EPUB/${chapterPath(doc.id)}`));
  });

  it('escapes the text and drops what XML cannot hold, keeping paragraphs and line breaks', async () => {
    const entries = await entriesOf(await build(documents, 'escaping.epub'));
    const first = entries.find((entry) => entry.name === `EPUB/${chapterPath(documents[0]?.id ?? '')}`)?.text ?? '';
    expect(first).toContain('<h1>Tides &lt;b&gt;&amp; &quot;moons&quot;&lt;/b&gt;</h1>');
    expect(first).toContain('<p>First paragraph with &lt;script&gt;alert(1)&lt;/script&gt; &amp; more.</p>');
    expect(first).toContain('<p>Second paragraph<br/>with a line break.</p>');
    expect(first).toContain('https://example.com/a?x=1&amp;y=2');
    expect(first).not.toContain('<script>');
    const second = entries.find((entry) => entry.name === `EPUB/${chapterPath(documents[1]?.id ?? '')}`)?.text ?? '';
    expect(second).toContain('<p>Control characters  and  vanish; a lone  surrogate too. Emoji 😀 and café stay.</p>');
  });

  it('is a valid EPUB 3 for EPUBCheck (TypeScript port): no error, no warning', async () => {
    const result = await EpubCheck.validate(await readFile(await build(documents, 'valid.epub')));
    expect(result.messages.map((message) => `${message.severity} ${message.id} ${message.message}`)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is valid with no documents at all (an incremental export may find none)', async () => {
    const result = await EpubCheck.validate(await readFile(await build([], 'empty.epub')));
    expect(result.messages.map((message) => `${message.severity} ${message.id} ${message.message}`)).toEqual([]);
  });

  it('fails instead of writing a book whose chapters do not match its table of contents', async () => {
    const path = join(scratch, 'mismatch.epub');
    const chapters = documents.map(({ id, title, url }) => ({ id, title, url }));
    const iterator = (async function* () {
      yield* documents.slice(1);
    })();
    await expect(writeEpub(path, { identity: 'x', title: 'x', modified: new Date() }, chapters, iterator)).rejects.toThrow(/ran out of step/);
  });
});
