import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';

/**
 * Request bodies are taken as sent: a `Content-Encoding` other than `identity` is refused with
 * 415 naming it (RFC 9110 §15.5.16), and `Accept-Encoding: identity` says what is accepted. Node
 * and Fastify ignore the header, so a gzip body was read as text ("not valid UTF-8", the wrong
 * cause) and `br` over plain bytes was stored as it came. Why refuse rather than decode:
 * docs/decisions.md "Compressed request bodies".
 */

/** The codings a request declares, lowercase, in the order applied; `identity` left out. */
function contentCodings(header: string | string[] | undefined): string[] {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  return text
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function refuseEncodedBodies(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, reply, payload) => {
    const codings = contentCodings(request.headers['content-encoding']);
    if (codings.length === 0 || !hasBody(request)) return payload;
    reply.header('accept-encoding', 'identity');
    const named = codings.map((coding) => JSON.stringify(coding.slice(0, 40))).join(', ');
    throw new HttpError(415, `Content-Encoding ${named} is not supported: send the body uncompressed (identity)`);
  });
}
