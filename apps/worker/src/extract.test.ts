import { describe, expect, it } from 'vitest';
import { extractDocument } from './extract.js';

const article = (paragraphs: number) =>
  Array.from(
    { length: paragraphs },
    (_, i) => `<p>Paragraph ${i} explains how zebrafish regrow heart muscle after injury, in some detail.</p>`,
  ).join('\n');

describe('extractDocument: HTML', () => {
  const page = `<!doctype html><html><head><title>Zebrafish hearts regrow | Science Daily</title>
    <style>p { color: red }</style><script>window.tracking = "SCRIPTTEXT"</script></head>
    <body><nav><a href="/">Home</a> <a href="/about">NAVIGATIONTEXT</a></nav>
    <article><h1>Zebrafish hearts regrow</h1>${article(30)}</article>
    <footer>FOOTERTEXT copyright</footer></body></html>`;

  it('takes the title and the article text, without scripts, styles or page chrome', () => {
    const { title, text } = extractDocument(page, 'text/html');
    expect(title).toBe('Zebrafish hearts regrow | Science Daily');
    expect(text).toContain('Paragraph 0 explains how zebrafish regrow heart muscle');
    expect(text).toContain('Paragraph 29');
    for (const noise of ['SCRIPTTEXT', 'color: red', 'NAVIGATIONTEXT', 'FOOTERTEXT']) expect(text).not.toContain(noise);
  });

  it('keeps words of adjacent blocks apart, so search finds them', () => {
    const { text } = extractDocument(page, 'text/html');
    expect(text).not.toMatch(/detail\.Paragraph/);
    expect(text.split('\n').filter((line) => line.startsWith('Paragraph')).length).toBe(30);
  });

  it('falls back to the whole page, minus chrome, when there is no article', () => {
    const { title, text } = extractDocument(
      '<html><head><title>Tiny</title></head><body><nav>NAVIGATIONTEXT</nav><div>Just one line of content.</div></body></html>',
      'text/html',
    );
    expect(title).toBe('Tiny');
    expect(text).toContain('Just one line of content.');
    expect(text).not.toContain('NAVIGATIONTEXT');
  });

  it('uses the first heading when the page has no title element', () => {
    expect(extractDocument(`<html><body><h1>Only a heading</h1>${article(20)}</body></html>`, 'text/html').title).toBe(
      'Only a heading',
    );
  });

  it('copes with a fragment that is not a whole page', () => {
    expect(extractDocument('<p>loose <b>fragment</b> text</p>', 'text/html').text).toBe('loose fragment text');
  });
});

describe('extractDocument: markdown', () => {
  it('takes the top-level heading as the title and renders the rest to plain text', () => {
    const { title, text } = extractDocument(
      '## Section first\n\n# The Real Title\n\nSome *emphasis* and a [link](https://example.com).\n\n- item one\n- item two\n\n```\ncode block\n```',
      'text/markdown',
    );
    expect(title).toBe('The Real Title');
    expect(text).toContain('Some emphasis and a link.');
    expect(text).toContain('item one');
    expect(text).toContain('code block');
    expect(text).toContain('- item two');
    expect(text).not.toMatch(/[*#`]|https:\/\/example\.com/);
  });

  it('has no title when there is no heading', () => {
    expect(extractDocument('just text', 'text/markdown')).toEqual({ title: null, text: 'just text' });
  });
});

describe('extractDocument: plain text', () => {
  it('uses a short first line as the title and keeps the text', () => {
    expect(extractDocument('\n  Meeting notes  \n\nWe agreed   on things.\n\n\n\nThe end.', 'text/plain')).toEqual({
      title: 'Meeting notes',
      text: 'Meeting notes\n\nWe agreed on things.\n\nThe end.',
    });
  });

  it('has no title when the first line is a paragraph', () => {
    expect(extractDocument(`${'word '.repeat(60)}\nmore`, 'text/plain').title).toBeNull();
  });

  it('drops NUL bytes, which PostgreSQL text cannot hold, from the text and the title', () => {
    expect(extractDocument('a\u0000b', 'text/plain')).toEqual({ title: 'ab', text: 'ab' });
  });
});

describe('extractDocument: NUL bytes', () => {
  it.each([
    ['text/html', '<html><head><title>Ti\u0000tle</title></head><body><p>bo\u0000dy</p></body></html>'],
    ['text/markdown', '# Ti\u0000tle\n\nbo\u0000dy'],
  ] as const)('are dropped from the title and the text of %s', (contentType, body) => {
    const { title, text } = extractDocument(body, contentType);
    expect(title).toBe('Title');
    expect(text).toContain('body');
    expect(`${title}${text}`).not.toContain('\u0000');
  });
});
