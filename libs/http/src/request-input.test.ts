import { ErrorResponseSchema } from '@docflow/contracts';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, buildTestApp } from './test/test-app.js';
import { listenLocally } from './testing/index.js';

/**
 * What a client sends around the body and in the query string, over a real socket: each
 * refusal is a 4xx in the one error shape with a message naming the problem.
 */
describe('request input over real HTTP', () => {
  let t: Awaited<ReturnType<typeof buildTestApp>>;
  let base: string;
  beforeAll(async () => {
    t = await buildTestApp();
    ({ base } = await listenLocally(t.app));
  });
  afterAll(async () => {
    await t.app.close();
  });

  const auth = { 'x-api-key': KEYS[0] };
  const thing = JSON.stringify({ url: 'https://example.com/', count: 2 });

  async function expectRefusal(response: Response, statusCode: number, message: string): Promise<Record<string, unknown>> {
    const body = ErrorResponseSchema.parse(await response.json());
    expect(response.status).toBe(statusCode);
    expect(body).toMatchObject({ statusCode, message, requestId: response.headers.get('x-correlation-id') });
    return body;
  }

  describe('Content-Encoding', () => {
    const post = (body: Uint8Array | string, encoding: string) =>
      fetch(`${base}/v1/things`, { method: 'POST', body, headers: { ...auth, 'content-type': 'application/json', 'content-encoding': encoding } });

    it('refuses a gzip body with 415 naming the coding (it was "not valid UTF-8"), and says identity is accepted', async () => {
      const response = await post(gzipSync(thing), 'gzip');
      await expectRefusal(response, 415, 'Content-Encoding "gzip" is not supported: send the body uncompressed (identity)');
      expect(response.headers.get('accept-encoding')).toBe('identity');
    });

    it('refuses br over plain bytes (it was accepted as sent) and names every coding of a list', async () => {
      await expectRefusal(await post(thing, 'br'), 415, 'Content-Encoding "br" is not supported: send the body uncompressed (identity)');
      await expectRefusal(await post(thing, 'Deflate, identity, x-custom'), 415, 'Content-Encoding "deflate", "x-custom" is not supported: send the body uncompressed (identity)');
    });

    it('accepts identity, and a request without a body whatever it declares', async () => {
      expect((await post(thing, 'identity')).status).toBe(201);
      const get = await fetch(`${base}/v1/query?limit=3`, { headers: { ...auth, 'content-encoding': 'gzip' } });
      expect(get.status).toBe(200);
    });
  });

  describe('the query string', () => {
    const get = (query: string) => fetch(`${base}/v1/query?${query}`, { headers: auth });

    it.each([
      ['a byte that is not UTF-8', 'limit=%FF'],
      ['two bytes that are not UTF-8', 'limit=%FF%FE'],
      ['an encoded surrogate', 'limit=%ED%A0%80'],
      ['a cut escape', 'limit=5%E2%82'],
      ['a malformed escape', 'limit=%zz'],
    ])('refuses %s with 400 naming the parameter (it was accepted as literal text)', async (_name, query) => {
      const body = await expectRefusal(await get(query), 400, 'Invalid querystring: limit: is not valid percent-encoded UTF-8');
      expect(body['issues']).toEqual([{ path: 'limit', message: 'is not valid percent-encoded UTF-8' }]);
    });

    it('names a parameter whose name is not UTF-8', async () => {
      await expectRefusal(await get('limit=1&%C0=x'), 400, 'Invalid querystring: %C0: the name is not valid percent-encoded UTF-8');
    });

    it('refuses a repeated parameter as given twice (it was "expected number, received NaN")', async () => {
      const body = await expectRefusal(await get('limit=1&limit=2'), 400, 'Invalid querystring: limit: must be given once in the query string');
      expect(body['issues']).toEqual([{ path: 'limit', message: 'must be given once in the query string' }]);
    });

    it('refuses parameters the route does not take, naming them and the ones it takes (it ignored them)', async () => {
      const body = await expectRefusal(
        await get('limit=1&q[]=a&qury=x'),
        400,
        'Invalid querystring: q[]: is not a parameter of GET /v1/query; it takes limit; qury: is not a parameter of GET /v1/query; it takes limit',
      );
      expect(body['issues']).toEqual([
        { path: 'q[]', message: 'is not a parameter of GET /v1/query; it takes limit' },
        { path: 'qury', message: 'is not a parameter of GET /v1/query; it takes limit' },
      ]);
      const none = await fetch(`${base}/v1/things?debug=1`, { method: 'POST', body: thing, headers: { ...auth, 'content-type': 'application/json' } });
      await expectRefusal(none, 400, 'Invalid querystring: debug: is not a parameter of POST /v1/things; it takes none');
    });

    it('decodes what is well formed: escapes, + as a space, UTF-8', async () => {
      expect(await (await get('limit=%37')).json()).toEqual({ limit: 7 });
      expect(await (await get('limit=+8+')).json()).toEqual({ limit: 8 });
      // é is valid UTF-8 but not a number: the schema says so, not the parser
      const schemaSays = await get('limit=%C3%A9');
      expect(schemaSays.status).toBe(400);
      const { message } = ErrorResponseSchema.parse(await schemaSays.json());
      expect(message).toMatch(/^Invalid querystring: limit: /);
      expect(message).not.toContain('percent-encoded');
    });
  });

  describe('JSON with a forbidden key', () => {
    const post = (body: string) => fetch(`${base}/v1/things`, { method: 'POST', body, headers: { ...auth, 'content-type': 'application/json' } });

    it('names __proto__ instead of calling the JSON invalid', async () => {
      await expectRefusal(
        await post('{"url":"https://example.com/","count":2,"__proto__":{"polluted":true}}'),
        400,
        'Request body is refused: JSON objects may not have the key "__proto__" (it can alter the objects built from them)',
      );
    });

    it('names constructor.prototype, also when the key is escaped', async () => {
      await expectRefusal(
        await post('{"url":"https://example.com/","count":2,"constructor":{"prototype":{"x":1}}}'),
        400,
        'Request body is refused: JSON objects may not have the key "constructor" (it can alter the objects built from them)',
      );
      await expectRefusal(
        await post('{"\\u005f_proto__":{}}'),
        400,
        'Request body is refused: JSON objects may not have the key "__proto__" (it can alter the objects built from them)',
      );
    });

    it('still calls JSON that is not JSON invalid, and accepts a harmless constructor', async () => {
      await expectRefusal(await post('{"__proto__":'), 400, 'Request body is not valid JSON');
      expect((await post('{"url":"https://example.com/","count":2,"constructor":"x"}')).status).toBe(201);
    });
  });
});
