import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';

/**
 * Request bodies are decoded by the charset their Content-Type declares. Fastify decodes every
 * body as UTF-8 whatever it says, so `text/plain; charset=iso-8859-1` turned `café` into `caf�`,
 * and bytes that are not UTF-8 became U+FFFD without a word. Here a declared charset is honoured
 * or refused (415 naming the ones accepted), and a body that is not what it claims is a 400.
 */

/** Labels accepted in `charset=` (lowercase), and the WHATWG encoding that decodes each. */
const CHARSETS: Readonly<Record<string, string>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  // browsers read ISO-8859-1 and ASCII as windows-1252, its superset: so do we
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  'utf-16': 'utf-16',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
};

export const ACCEPTED_CHARSETS = 'utf-8 (the default), iso-8859-1, windows-1252, utf-16, utf-16le or utf-16be';

/** The `charset` parameter of a Content-Type header, lowercase and unquoted; undefined when absent. */
export function charsetOf(contentType: string | undefined): string | undefined {
  for (const parameter of (contentType ?? '').split(';').slice(1)) {
    const [name, ...value] = parameter.split('=');
    if (name?.trim().toLowerCase() === 'charset') return value.join('=').trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return undefined;
}

/**
 * windows-1252's 0x80-0x9F (the rest is ISO-8859-1). By hand because Node 20's TextDecoder
 * decodes windows-1252 as ISO-8859-1 (0x93 became U+0093, not “); the five bytes the encoding
 * leaves undefined stay as their C1 control, as WHATWG decodes them.
 */
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

function decodeWindows1252(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[\x80-\x9f]/g, (char) => WINDOWS_1252_HIGH[char.charCodeAt(0) - 0x80] ?? char);
}

/** Where the first byte that is not UTF-8 sits: the first byte the lossy round trip changed. */
function firstInvalidUtf8Byte(bytes: Buffer): number {
  const roundTrip = Buffer.from(bytes.toString('utf8'), 'utf8');
  let index = 0;
  while (index < bytes.length && bytes[index] === roundTrip[index]) index += 1;
  return index;
}

/** The body as text, by the charset its Content-Type declares (UTF-8 when it declares none). */
export function decodeBody(bytes: Buffer, contentType: string | undefined): string {
  const declared = charsetOf(contentType) ?? 'utf-8';
  let encoding = CHARSETS[declared];
  if (encoding === undefined) {
    throw new HttpError(415, `Unsupported charset ${JSON.stringify(declared.slice(0, 40))} in Content-Type; send ${ACCEPTED_CHARSETS}`);
  }
  if (encoding === 'windows-1252') return decodeWindows1252(bytes);
  if (encoding === 'utf-16') encoding = bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-16le';
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    const where = encoding === 'utf-8' ? ` (first bad byte at offset ${firstInvalidUtf8Byte(bytes)})` : '';
    const hint = charsetOf(contentType) === undefined ? '; declare its charset, e.g. Content-Type: text/html; charset=windows-1252' : '';
    throw new HttpError(400, `Request body is not valid ${encoding.toUpperCase()}${where}${hint}`);
  }
}

/**
 * The key that made Fastify's prototype-safe parser refuse text that is valid JSON (`__proto__`,
 * or `constructor` holding a `prototype`); undefined when the text is not JSON at all. Only
 * called after a refusal, so a valid body is parsed once.
 */
function forbiddenKey(text: string): string | undefined {
  let found: string | undefined;
  try {
    JSON.parse(text, (key, value: unknown) => {
      if (key === '__proto__') found ??= key;
      if (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype')) found ??= key;
      return value;
    });
  } catch {
    return undefined;
  }
  return found;
}

/** JSON bodies decoded by their charset (then parsed by Fastify's own, prototype-safe JSON parser). */
export function installJsonCharsets(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request: FastifyRequest, body, done) => {
    let text: string;
    try {
      text = decodeBody(body as Buffer, request.headers['content-type']);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    parseJson(request, text, (error, parsed) => {
      const key = error === null ? undefined : forbiddenKey(text);
      if (key === undefined) {
        done(error, parsed);
        return;
      }
      done(new HttpError(400, `Request body is refused: JSON objects may not have the key ${JSON.stringify(key)} (it can alter the objects built from them)`), undefined);
    });
  });
}

/** Text bodies of these media types (e.g. text/html), as strings decoded by their charset. */
export function acceptTextBodies(app: FastifyInstance, mediaTypes: readonly string[], bodyLimitBytes: number): void {
  for (const mediaType of mediaTypes) {
    if (app.hasContentTypeParser(mediaType)) app.removeContentTypeParser(mediaType);
  }
  app.addContentTypeParser([...mediaTypes], { parseAs: 'buffer', bodyLimit: bodyLimitBytes }, (request: FastifyRequest, body, done) => {
    try {
      done(null, decodeBody(body as Buffer, request.headers['content-type']));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
