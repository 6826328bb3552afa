import { Readability } from '@mozilla/readability';
import { MAX_TITLE_LENGTH, type ContentType } from '@docflow/contracts';
import { convert, type HtmlToTextOptions } from 'html-to-text';
import { parseHTML } from 'linkedom';
import { Lexer, marked, type Tokens } from 'marked';

export interface ExtractedDocument {
  /** The document's own title, or null when it has none. */
  readonly title: string | null;
  /** Readable text: words separated, paragraphs on their own lines, no markup. */
  readonly text: string;
}

const TEXT_OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    ...(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const).map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'table', options: { uppercaseHeaderCells: false } },
    { selector: 'ul', options: { itemPrefix: '- ' } },
  ],
};

/**
 * Parts of a page that are never its content. Readability drops most of them on long pages but
 * keeps them on short ones, so they go before it runs.
 */
const CHROME = 'script, style, noscript, template, iframe, nav, footer, aside, form';

/**
 * Title and readable text of a document. HTML goes through Mozilla Readability (the Firefox
 * Reader View engine) so navigation, ads and footers do not pollute search; markdown is rendered
 * and reduced to text; plain text is kept as it is.
 */
export function extractDocument(body: string, contentType: ContentType): ExtractedDocument {
  switch (contentType) {
    case 'text/html':
      return extractHtml(body);
    case 'text/markdown':
      return extractMarkdown(body);
    case 'text/plain':
      return extractPlainText(body);
  }
}

function extractHtml(html: string): ExtractedDocument {
  // linkedom only builds a body for whole pages; a fragment gets one so it is read the same way
  const isWholePage = /<(html|body)[\s>]/i.test(html);
  const { document } = parseHTML(isWholePage ? html : `<!doctype html><html><body>${html}</body></html>`);
  const pageTitle = cleanTitle(document.querySelector('title')?.textContent);
  const firstHeading = cleanTitle(document.querySelector('h1')?.textContent);
  for (const element of document.querySelectorAll(CHROME)) element.remove();
  const page = document.body?.innerHTML ?? document.toString();
  // Readability rewrites the DOM it is given; the page's markup was read off above
  const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0]).parse();
  const text = convert(article?.content ?? page, TEXT_OPTIONS);
  return { title: cleanTitle(article?.title) ?? pageTitle ?? firstHeading, text: cleanText(text) };
}

function extractMarkdown(markdown: string): ExtractedDocument {
  const tokens = Lexer.lex(markdown);
  const headings = tokens.filter((token): token is Tokens.Heading => token.type === 'heading');
  const topHeading = headings.reduce<Tokens.Heading | undefined>(
    (best, heading) => (best === undefined || heading.depth < best.depth ? heading : best),
    undefined,
  );
  const html = marked.parser(tokens, { async: false });
  return { title: cleanTitle(topHeading?.text), text: cleanText(convert(html, TEXT_OPTIONS)) };
}

function extractPlainText(text: string): ExtractedDocument {
  const firstLine = text.split('\n').find((line) => line.trim().length > 0);
  // a first line reads as a title only when it is short; otherwise the text simply has none
  const title = firstLine !== undefined && firstLine.trim().length <= 200 ? cleanTitle(firstLine) : null;
  return { title, text: cleanText(text) };
}

/** PostgreSQL text cannot hold NUL: one in a title or text would fail the upsert on every attempt. */
function withoutNul(text: string): string {
  return text.replaceAll('\u0000', '');
}

/** Whitespace collapsed, at most MAX_TITLE_LENGTH characters, no NUL bytes; null when empty. */
function cleanTitle(title: string | null | undefined): string | null {
  const cleaned = withoutNul(title ?? '').replace(/\s+/g, ' ').trim().slice(0, MAX_TITLE_LENGTH);
  return cleaned.length > 0 ? cleaned : null;
}

/** Spaces collapsed within lines, at most one blank line between paragraphs, no NUL bytes. */
function cleanText(text: string): string {
  return withoutNul(text)
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
