import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import type { ArchivedDocument } from './format.js';

/**
 * A small EPUB 3 writer (why not a library: docs/decisions.md). The book streams: chapters are
 * added one at a time as the documents are read, so memory stays flat however large the archive.
 *
 *   mimetype                      first, stored (not compressed), no extra field (OCF)
 *   META-INF/container.xml        points at the package document
 *   EPUB/package.opf              metadata, manifest (every file), spine (reading order)
 *   EPUB/nav.xhtml                the table of contents (EPUB 3 navigation document)
 *   EPUB/style.css
 *   EPUB/documents/<id>.xhtml     one chapter per document
 */

/** What the package document and the table of contents need to know of each chapter, in order. */
export interface ChapterEntry {
  readonly id: string;
  readonly title: string | null;
  readonly url: string;
}

export interface BookMetadata {
  /** Stable identity of the book (the archive's name): the same archive always gets the same identifier. */
  readonly identity: string;
  readonly title: string;
  /** Becomes `dcterms:modified` (whole seconds, UTC). */
  readonly modified: Date;
}

const MIMETYPE = 'application/epub+zip';
const CHAPTER_FOLDER = 'documents';

/** XML 1.0 cannot hold these at all, not even as character references: they are dropped. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function chapterPath(id: string): string {
  return `${CHAPTER_FOLDER}/${id}.xhtml`;
}

/** The heading of a chapter: the document's title, or its URL when it has none. */
function headingOf(entry: Pick<ChapterEntry, 'title' | 'url'>): string {
  return entry.title ?? entry.url;
}

export function chapterXhtml(document: ArchivedDocument): string {
  const heading = escapeXml(headingOf(document));
  const paragraphs = document.text
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0)
    .map((paragraph) => `<p>${paragraph.split('\n').map(escapeXml).join('<br/>')}</p>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="en" lang="en">
<head><meta charset="utf-8"/><title>${heading}</title><link rel="stylesheet" type="text/css" href="../style.css"/></head>
<body>
<section epub:type="chapter" id="d${document.id}">
<h1>${heading}</h1>
<p class="source">${escapeXml(document.url)} · processed ${escapeXml(document.processedAt)}</p>
${paragraphs.join('\n')}
</section>
</body>
</html>
`;
}

export function navXhtml(chapters: readonly ChapterEntry[], bookTitle: string): string {
  const items = chapters.map((chapter) => `<li><a href="${chapterPath(chapter.id)}">${escapeXml(headingOf(chapter))}</a></li>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="en" lang="en">
<head><meta charset="utf-8"/><title>${escapeXml(bookTitle)}</title></head>
<body>
<nav epub:type="toc" id="toc">
<h1>${escapeXml(bookTitle)}</h1>
<ol>
${items.length > 0 ? items.join('\n') : '<li><a href="#toc">No documents</a></li>'}
</ol>
</nav>
</body>
</html>
`;
}

export function packageOpf(chapters: readonly ChapterEntry[], metadata: BookMetadata): string {
  const items = chapters.map((chapter) => `<item id="d${chapter.id}" href="${chapterPath(chapter.id)}" media-type="application/xhtml+xml"/>`);
  // an empty export still makes a valid book: the navigation document is then the only spine item
  const spine = chapters.length > 0 ? chapters.map((chapter) => `<itemref idref="d${chapter.id}"/>`) : ['<itemref idref="nav"/>'];
  return `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="en">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="uid">urn:uuid:${uuidFrom(metadata.identity)}</dc:identifier>
<dc:title>${escapeXml(metadata.title)}</dc:title>
<dc:language>en</dc:language>
<meta property="dcterms:modified">${metadata.modified.toISOString().replace(/\.\d{3}Z$/, 'Z')}</meta>
</metadata>
<manifest>
<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
<item id="css" href="style.css" media-type="text/css"/>
${items.join('\n')}
</manifest>
<spine>
${spine.join('\n')}
</spine>
</package>
`;
}

const CONTAINER_XML = `<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
`;

const STYLE_CSS = `body { font-family: serif; line-height: 1.4; }
h1 { font-size: 1.4em; }
p.source { font-size: 0.8em; color: #555; word-break: break-all; }
`;

/** A version-4-shaped UUID derived from a name, so a resumed export writes the same book identifier. */
function uuidFrom(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Writes the book to `path`. `chapters` lists every document in order (ids, titles, URLs: small);
 * `documents` yields the same documents again, in the same order, with their text, and is read
 * one chapter at a time while the zip is written.
 */
export async function writeEpub(
  path: string,
  metadata: BookMetadata,
  chapters: readonly ChapterEntry[],
  documents: AsyncIterator<ArchivedDocument>,
): Promise<void> {
  const zip = new yazl.ZipFile();
  const mtime = metadata.modified;
  // OCF: the first entry, stored, and without extra fields (yazl adds a timestamp field unless told not to)
  zip.addBuffer(Buffer.from(MIMETYPE, 'ascii'), 'mimetype', { compress: false, forceDosTimestamp: true, mtime });
  zip.addBuffer(Buffer.from(CONTAINER_XML), 'META-INF/container.xml', { mtime });
  zip.addBuffer(Buffer.from(packageOpf(chapters, metadata)), 'EPUB/package.opf', { mtime });
  zip.addBuffer(Buffer.from(navXhtml(chapters, metadata.title)), 'EPUB/nav.xhtml', { mtime });
  zip.addBuffer(Buffer.from(STYLE_CSS), 'EPUB/style.css', { mtime });
  for (const chapter of chapters) {
    // yazl asks for each stream when it reaches that entry, so one chapter is in memory at a time
    zip.addReadStreamLazy(`EPUB/${chapterPath(chapter.id)}`, { mtime }, (callback) => {
      documents.next().then(
        (next) => {
          if (next.done === true || next.value.id !== chapter.id) {
            callback(new Error(`the documents for the book ran out of step at ${chapter.id}`), undefined as never);
            return;
          }
          callback(null, Readable.from([chapterXhtml(next.value)]));
        },
        (error: Error) => callback(error, undefined as never),
      );
    });
  }
  zip.end();
  const out = createWriteStream(path);
  const closed = once(out, 'close');
  // a chapter that could not be read fails the zip file itself (yazl emits it there)
  zip.on('error', (error: Error) => out.destroy(error));
  zip.outputStream.on('error', (error) => out.destroy(error));
  zip.outputStream.pipe(out);
  await closed;
}
