import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_RULES } from './openapi.js';
import { buildTestApp } from './test/test-app.js';

describe('OpenAPI', () => {
  let t: Awaited<ReturnType<typeof buildTestApp>>;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('documents routes from their zod schemas, with the API key as the security scheme', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info).toMatchObject({ title: 'docflow test', version: '1.2.3', description: REQUEST_RULES });
    expect(document.components.securitySchemes.apiKey).toEqual({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    expect(document.security).toEqual([{ apiKey: [] }]);

    const create = document.paths['/v1/things'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['url', 'count']));
    expect(body.properties.url).toMatchObject({ type: 'string', format: 'uri' });
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400']));
    // the query parameters a route takes are all it takes
    const query = document.paths['/v1/query'].get.parameters;
    expect(query).toEqual([expect.objectContaining({ in: 'query', name: 'limit' })]);
  });

  it('marks public routes as needing no key and keeps the docs routes out of the document', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(document.paths['/healthz'].get.security).toEqual([]);
    expect(document.paths['/readyz'].get.responses['503']).toBeDefined();
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/docs'))).toEqual([]);
  });

  it('serves the UI and its static files without a key', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('swagger-ui');
    const script = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(script.statusCode).toBe(200);
    expect(script.body.length).toBeGreaterThan(100_000);
  });
});
