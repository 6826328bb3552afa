import { gzipSync } from 'node:zlib';

/**
 * Generated hostile requests: every kind of thing a client, a scanner or a broken proxy sends,
 * combined at random from a fixed seed (seededRandom: the same requests on every run). Raw bytes,
 * so that requests no HTTP client would produce can be sent too.
 */

export interface HostileRequest {
  readonly kind: string;
  readonly bytes: Buffer;
  /** Deliberately incomplete: sent, then the connection is dropped; no answer is expected. */
  readonly abort: boolean;
  /** HEAD: an answer without a body. */
  readonly head: boolean;
}

const STRINGS = [
  '', ' ', 'a', '0', '-1', '1e309', 'NaN', 'null', 'true', '[]', '{}', '💥🦓', '\u0000', '\uFFFE\uFFFF', 'é'.repeat(300),
  "' OR 1=1 --", '"; DROP TABLE documents; --', '$(reboot)', '`id`', '<script>alert(1)</script>', '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd', '%00', '%E0%A4%A', '%', '\\u0000', '{{7*7}}', '${jndi:ldap://x/a}', 'x'.repeat(5_000), '\r\nX-Injected: 1',
  'a\u202Eb', '\uD800', 'Ω≈ç√∫', '"quoted"', 'tab\tand\nnewline', 'https://example.com/a?b=1&c=2', 'javascript:alert(1)',
  'ftp://example.com/x', 'http://', 'https://例え.jp/パス', 'https://example.com/' + 'p'.repeat(4_100),
  // percent-escapes that are not UTF-8 (sent unencoded, they reach the query string parser as they are)
  '%FF%FE', '%ED%A0%80', '%C0%AF', 'caf%E9',
];

const CURSOR_VALUES: readonly unknown[] = [
  '0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '2026-02-30T00:00:00.000Z', 'yesterday', 1e39, 3.5e38, 1e-46, 5e-324, -1, 0,
  Number.MAX_SAFE_INTEGER, 'f'.repeat(32), "x' OR 1=1", null, [], {}, '0123456789abcdef', 'exact', 'bounded', 'other',
];

/** Every UTF-8 byte as %XX (encodeURIComponent throws on a lone surrogate). */
function percentEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)] as T;
}

function forgedCursor(next: () => number): string {
  const cursor: Record<string, unknown> = {
    v: pick(next, [1, 1, 1, 2, '1', null]),
    k: pick(next, ['recent', 'search', 'search', 'other']),
  };
  for (const field of ['at', 'q', 'rank', 'id', 'm']) if (next() < 0.8) cursor[field] = pick(next, CURSOR_VALUES);
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function queryString(next: () => number): string {
  const parts: string[] = [];
  const count = Math.floor(next() * 4);
  for (let i = 0; i < count; i += 1) {
    const name = pick(next, ['q', 'q', 'limit', 'cursor', 'cursor', 'url', 'title', 'x', '__proto__', 'q[]']);
    let value: string;
    if (name === 'cursor') value = next() < 0.7 ? forgedCursor(next) : pick(next, STRINGS);
    else if (name === 'limit') value = pick(next, ['0', '1', '20', '100', '101', '-5', '2.5', 'abc', '1e3', '']);
    else value = pick(next, STRINGS);
    parts.push(`${name}=${next() < 0.8 ? percentEncode(value) : value.replace(/[\s#]/g, '')}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

function jsonBody(next: () => number): string {
  const document = () => {
    const doc: Record<string, unknown> = {};
    if (next() < 0.9) doc['url'] = next() < 0.5 ? 'https://example.com/ok' : pick(next, STRINGS);
    if (next() < 0.9) doc['contentType'] = pick(next, ['text/html', 'text/plain', 'text/markdown', 'application/pdf', 5, null]);
    if (next() < 0.9) doc['body'] = next() < 0.5 ? 'a plain body' : pick(next, [...STRINGS, 12, false, ['x'], { a: 1 }]);
    if (next() < 0.3) doc['title'] = pick(next, [...STRINGS, 7]);
    if (next() < 0.1) doc['__proto__'] = { polluted: true };
    if (next() < 0.1) doc['constructor'] = { prototype: { polluted: true } };
    return doc;
  };
  const shape = next();
  if (shape < 0.45) return JSON.stringify(document());
  if (shape < 0.6) return JSON.stringify({ documents: Array.from({ length: Math.floor(next() * 4) }, document) });
  if (shape < 0.7) return '['.repeat(2_000) + ']'.repeat(2_000);
  if (shape < 0.8) return pick(next, ['{', '{"url":', 'null', '""', '42', '{"a":1,}', "{'a':1}", '\uFEFF{}', '{"__proto__":{"x":1}}']);
  if (shape < 0.9) return JSON.stringify(document()).replace('"a plain body"', `"${'\\ud800'.repeat(3)}"`);
  return JSON.stringify({ ...document(), body: '🦓'.repeat(Math.floor(next() * 2_000)) });
}

const PATHS = [
  '/v1/documents', '/v1/documents', '/v1/documents:batch', '/v1/documents::batch', '/v1/stats', '/v1/documents/0123456789abcdef0123456789abcdef',
  '/v1/documents/not-an-id', '/v1/documents/../../etc/passwd', '/v1/documents/%2e%2e%2f%2e%2e%2fetc', '/v1/documents/%00', '/v1/%E0%A4%A',
  '/healthz', '/readyz', '/docs', '/docs/json', '//v1//documents', '/v1/documents/' + 'a'.repeat(300), '/' + 'x'.repeat(9_000),
  '/v1/documents/0123456789abcdef0123456789abcdef/body', '*', 'http://evil.example/v1/documents', '/v1/documents;jsessionid=1',
  '/.env', '/admin', '/v1/documents%20', '/v1/DOCUMENTS',
];

const METHODS = ['GET', 'GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'FOO', 'PROPFIND', 'get'];

const CONTENT_TYPES = [
  'application/json', 'application/json', 'application/json; charset=utf-8', 'application/json; charset=iso-8859-1',
  'application/json; charset=utf-16le', 'application/json; charset=shift_jis', 'application/json; charset="utf-8"; charset=latin1',
  'text/plain', 'text/html; charset=windows-1252', 'text/markdown; charset=utf-16', 'text/plain; charset=koi8-r', 'application/pdf',
  'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', '', ';;;', 'text/html; charset=', 'application/json\u0000',
];

/**
 * A request that is right in every way but one field: it reaches the routes (validation, the
 * queue message, the search SQL) instead of being refused at the door.
 */
function nearlyValid(next: () => number, apiKey: string): HostileRequest {
  let head: string;
  if (next() < 0.5) {
    const document: Record<string, unknown> = { url: 'https://example.com/near', contentType: 'text/plain', body: 'a body', title: 'a title' };
    const field = pick(next, ['url', 'title', 'title', 'body', 'body']);
    document[field] = pick(next, STRINGS);
    const batch = next() < 0.3;
    const body = Buffer.from(JSON.stringify(batch ? { documents: [document, { ...document, url: 'https://example.com/other' }] } : document), 'utf8');
    head = `POST /v1/documents${batch ? ':batch' : ''} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${apiKey}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
    return { kind: `near-valid POST ${field}`, bytes: Buffer.concat([Buffer.from(head, 'latin1'), body]), abort: false, head: false };
  }
  const q = `q=${percentEncode(pick(next, STRINGS.filter((value) => value.trim() !== '')))}`;
  const cursor = next() < 0.5 ? `&cursor=${forgedCursor(next)}` : '';
  head = `GET /v1/documents?${q}${cursor}&limit=${pick(next, ['1', '20', '100'])} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${apiKey}\r\n\r\n`;
  return { kind: 'near-valid search', bytes: Buffer.from(head, 'latin1'), abort: false, head: false };
}

/** One request of the given kind, fully generated from `next`. */
export function generate(next: () => number, apiKey: string): HostileRequest {
  if (next() < 0.25) return nearlyValid(next, apiKey);
  const method = pick(next, METHODS);
  const path = pick(next, PATHS) + (next() < 0.6 ? queryString(next) : '');
  const headers: string[] = [];
  let kind = 'request';
  if (next() < 0.9) headers.push('Host: 127.0.0.1');
  if (next() < 0.04) headers.push(`host: ${pick(next, ['127.0.0.1', 'evil.example'])}`); // a second Host
  if (next() < 0.75) headers.push(`x-api-key: ${next() < 0.85 ? apiKey : pick(next, ['', 'wrong', 'x'.repeat(10_000), apiKey.toUpperCase()])}`);
  if (next() < 0.1) headers.push(`x-api-key: ${apiKey}`); // duplicated
  if (next() < 0.2) headers.push(`x-correlation-id: ${pick(next, ['ok-id', 'bad id with spaces', 'x'.repeat(500), '../etc', ''])}`);
  if (next() < 0.05) headers.push(`Expect: ${pick(next, ['100-continue', 'something-else', '200-ok'])}`);
  if (next() < 0.05) headers.push(`X-Big: ${'h'.repeat(20_000)}`);
  if (next() < 0.05) headers.push('Connection: Upgrade', 'Upgrade: websocket');
  if (next() < 0.03) headers.push('Bad Header Name: x');

  let body = Buffer.alloc(0);
  const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH' || next() < 0.05;
  if (hasBody) {
    const contentType = pick(next, CONTENT_TYPES);
    if (contentType !== '' || next() < 0.5) headers.push(`content-type: ${contentType}`);
    if (next() < 0.05) headers.push('content-type: text/plain');
    const text = contentType.startsWith('application/json') ? jsonBody(next) : pick(next, [...STRINGS, '<p>café</p>', '# title']);
    const encoding = /utf-16/.test(contentType) ? 'utf16le' : /1252|8859|latin1/.test(contentType) && next() < 0.7 ? 'latin1' : 'utf8';
    body = Buffer.from(text, encoding);
    if (next() < 0.1) {
      const coding = pick(next, ['gzip', 'gzip', 'br', 'deflate', 'identity', 'x-zip', 'gzip, br']);
      headers.push(`content-encoding: ${coding}`);
      if (coding.startsWith('gzip') && next() < 0.7) body = gzipSync(body);
    }
  }

  let framing = pick(next, ['length', 'length', 'length', 'chunked', 'chunked-broken', 'length-short', 'length-long', 'both', 'length-twice', 'none']);
  if (!hasBody && framing !== 'none') framing = next() < 0.8 ? 'length' : framing;
  let payload: Buffer = body;
  let abort = false;
  switch (framing) {
    case 'length':
      if (hasBody) headers.push(`content-length: ${body.length}`);
      break;
    case 'chunked':
      headers.push('transfer-encoding: chunked');
      payload = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
      break;
    case 'chunked-broken':
      headers.push('transfer-encoding: chunked');
      payload = Buffer.concat([Buffer.from(`${pick(next, ['zz', '-1', 'ffffffffffffffff', (body.length + 10).toString(16)])}\r\n`), body]);
      abort = true;
      kind = 'broken chunks';
      break;
    case 'length-short':
      headers.push(`content-length: ${body.length + 100}`);
      abort = true;
      kind = 'truncated body';
      break;
    case 'length-long':
      headers.push(`content-length: ${Math.max(0, body.length - 1)}`);
      break;
    case 'both':
      headers.push(`content-length: ${body.length}`, 'transfer-encoding: chunked');
      break;
    case 'length-twice':
      headers.push(`content-length: ${body.length}`, `content-length: ${body.length + 1}`);
      break;
    default:
      break;
  }
  const version = next() < 0.95 ? 'HTTP/1.1' : pick(next, ['HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'SPDY']);
  const head = `${method} ${path} ${version}\r\n${headers.join('\r\n')}${headers.length > 0 ? '\r\n' : ''}\r\n`;
  if (kind === 'request') kind = `${method} ${path.split('?')[0]?.slice(0, 40)}`;
  return { kind, bytes: Buffer.concat([Buffer.from(head, 'latin1'), payload]), abort, head: method === 'HEAD' };
}
