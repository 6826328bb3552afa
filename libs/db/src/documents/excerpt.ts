/**
 * Excerpts are HTML-safe: the text is escaped and search terms are wrapped in `<mark>`, so a
 * client may render them as HTML without letting a document inject markup.
 */

/**
 * Characters of the text ts_headline reads around the first match: it parses and stems all it is
 * given (~0.08 ms per 1,000 characters, measured), so no more than an excerpt shows: about 35
 * words, as long as an excerpt without a query.
 */
export const HEADLINE_WINDOW_CHARS = 240;

/** Length of an excerpt when listing without a query. */
export const PLAIN_EXCERPT_CHARS = 240;

// control characters that cannot collide with document text: the SQL strips them from the input
const START = '\u0002';
const STOP = '\u0003';
export const HEADLINE_STRIP_CHARS = `${START}${STOP}`;
// one passage around the best match (fragment mode cuts short texts oddly and drops punctuation)
export const HEADLINE_OPTIONS = `StartSel=${START}, StopSel=${STOP}, MaxWords=35, MinWords=15`;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** ts_headline output (with START/STOP around matches) as an escaped excerpt with `<mark>`. */
export function excerptFromHeadline(headline: string): string {
  return escapeHtml(collapseWhitespace(headline)).replaceAll(START, '<mark>').replaceAll(STOP, '</mark>');
}

/** The beginning of a text, cut at a word boundary, escaped. */
export function excerptFromText(text: string): string {
  const plain = collapseWhitespace(text);
  if (plain.length <= PLAIN_EXCERPT_CHARS) return escapeHtml(plain);
  const cut = plain.slice(0, PLAIN_EXCERPT_CHARS);
  const lastSpace = cut.lastIndexOf(' ');
  return `${escapeHtml(lastSpace > PLAIN_EXCERPT_CHARS / 2 ? cut.slice(0, lastSpace) : cut)}…`;
}
