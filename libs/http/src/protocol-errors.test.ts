import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, buildTestApp } from './test/test-app.js';
import { listenLocally, rawRequest, type RawAnswer } from './testing/index.js';

/**
 * What Node's parser and Fastify's router refuse before any route runs answers in the one error
 * shape too, with a request id and a message that names the problem.
 */
describe('refusals below the routes', () => {
  let t: Awaited<ReturnType<typeof buildTestApp>>;
  let port: number;
  beforeAll(async () => {
    t = await buildTestApp();
    ({ port } = await listenLocally(t.app));
  });
  afterAll(async () => {
    await t.app.close();
  });

  function expectErrorShape(answer: RawAnswer, statusCode: number, message: RegExp | string): void {
    expect(answer.statusCode, answer.raw).toBe(statusCode);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    expect(body).toMatchObject({ statusCode, error: expect.any(String), requestId: expect.any(String) });
    expect(body['message']).toMatch(message);
    expect(answer.headers['x-correlation-id']).toBe(body['requestId']);
  }

  it.each([
    ['an Expect other than 100-continue', 'POST /v1/things HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nContent-Length: 2\r\n\r\n{}', 417, /^Expect: "something-else" is not supported/],
    ['HTTP/1.1 without Host', 'GET /healthz HTTP/1.1\r\n\r\n', 400, 'The Host header is required in HTTP/1.1'],
    ['two Host headers', 'GET /healthz HTTP/1.1\r\nHost: a.example\r\nhost: b.example\r\n\r\n', 400, 'The Host header is given 2 times; a request has exactly one'],
    ['two Host headers in HTTP/1.0', 'GET /healthz HTTP/1.0\r\nHost: a\r\nHOST: a\r\nHost: c\r\n\r\n', 400, 'The Host header is given 3 times; a request has exactly one'],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 405, /^Method CONNECT is not allowed/],
    ['an unknown method', 'FOO / HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'Malformed request: unknown HTTP method'],
    ['a malformed percent-encoding', 'GET /v1/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n', 400, /malformed percent-encoding/],
    ['headers over 16 KiB', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, /larger than the limit of 16384 bytes/],
    ['two Content-Lengths', 'POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', 400, /Content-Length/],
    ['Content-Length with chunked', 'POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, /^Malformed request: .*Content-Length/],
    ['no HTTP at all', 'hello there\r\n\r\n', 400, /^Malformed request/],
  ])('%s', async (_name, request, statusCode, message) => {
    expectErrorShape(await rawRequest(port, request), statusCode, message);
  });

  it('logs a client that aborts its chunked body at info, not as a server error', async () => {
    const before = t.lines.length;
    const request =
      `POST /v1/things HTTP/1.1\r\nHost: x\r\nx-api-key: ${KEYS[0]}\r\ncontent-type: application/json\r\n` +
      'transfer-encoding: chunked\r\n\r\n5\r\n{"url';
    expect((await rawRequest(port, request, { abort: true })).statusCode).toBeUndefined();
    await expect.poll(() => t.lines.slice(before).map((line) => line['msg'])).toContain(
      'the client closed the connection before sending the whole request',
    );
    expect(t.lines.slice(before).filter((line) => line['level'] === 'error')).toEqual([]);
  });

  it('still answers normal requests on the same server', async () => {
    expect((await rawRequest(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')).statusCode).toBe(200);
    expect((await rawRequest(port, 'GET /healthz HTTP/1.0\r\n\r\n')).statusCode).toBe(200);
  });
});

describe('JSON bodies in a declared charset', () => {
  let t: Awaited<ReturnType<typeof buildTestApp>>;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.app.close();
  });
  const post = (payload: Buffer, contentType: string) =>
    t.app.inject({ method: 'POST', url: '/v1/things', headers: { 'x-api-key': KEYS[0], 'content-type': contentType }, payload });
  const json = JSON.stringify({ url: 'https://example.com/café', count: 1 });

  it.each([
    ['application/json', Buffer.from(json, 'utf8')],
    ['application/json; charset=ISO-8859-1', Buffer.from(json, 'latin1')],
    ['application/json; charset="utf-16le"', Buffer.from(json, 'utf16le')],
  ])('decodes %s', async (contentType, payload) => {
    const response = await post(payload, contentType);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().url).toBe('https://example.com/café');
  });

  it('refuses a charset it cannot decode, naming the accepted ones', async () => {
    const response = await post(Buffer.from(json), 'application/json; charset=shift_jis');
    expect(response.statusCode).toBe(415);
    expect(response.json().message).toBe(
      'Unsupported charset "shift_jis" in Content-Type; send utf-8 (the default), iso-8859-1, windows-1252, utf-16, utf-16le or utf-16be',
    );
  });

  it('refuses bytes that are not UTF-8 instead of turning them into U+FFFD', async () => {
    const response = await post(Buffer.from(json, 'latin1'), 'application/json');
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/^Request body is not valid UTF-8 \(first bad byte at offset 31\); declare its charset/);
  });
});
