import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi, { type FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_KEY_HEADER } from './auth.js';
import './route-config.js';

export interface OpenApiOptions {
  /**
   * Title of the API in the document and the UI.
   * @default - `docflow <service>`
   */
  readonly title?: string;
  /** Version of the API (not of the document format). */
  readonly version: string;
  /** @default - no description */
  readonly description?: string;
}

/** Where the API documentation lives: the UI at `/docs`, the OpenAPI document at `/docs/json`. */
export const DOCS_PREFIX = '/docs';

/**
 * Name of the folder next to a service bundle that holds swagger-ui's static files. A bundle
 * cannot serve them from `node_modules/@fastify/swagger-ui/static` (there is no node_modules
 * beside it, and `__dirname` does not exist in an ES module), so each app's build target copies
 * them there with the esbuild `assets` option:
 * `{ "input": "node_modules/@fastify/swagger-ui/static", "glob": "**\/*", "output": "swagger-ui" }`.
 */
export const SWAGGER_UI_ASSETS_DIR = 'swagger-ui';

/**
 * The assets beside the running bundle, if this code runs from one. From source (tests, tsx)
 * `import.meta.url` is this file, there is no such folder, and swagger-ui finds its own files.
 */
function bundledUiOptions(): Partial<FastifySwaggerUiOptions> {
  const dir = fileURLToPath(new URL(`./${SWAGGER_UI_ASSETS_DIR}/`, import.meta.url));
  if (!existsSync(join(dir, 'swagger-ui-bundle.js'))) return {};
  // the default logo is read relative to __dirname too, so hand it over
  return { baseDir: dir, logo: { type: 'image/svg+xml', content: readFileSync(join(dir, 'logo.svg')) } };
}

/** What every route refuses before its own schema is read (query-string.ts, content-encoding.ts). */
export const REQUEST_RULES =
  'Every route takes only the query parameters it lists, each at most once and percent-encoded as UTF-8; ' +
  'anything else is a 400 naming the parameter. Bodies are sent uncompressed: a Content-Encoding other than ' +
  'identity is a 415 naming it.';

function isDocsRoute(url: string): boolean {
  return url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`);
}

/**
 * OpenAPI 3 generated from the routes' zod schemas. Must be installed before any route is
 * added: the document is built from the routes @fastify/swagger sees being registered.
 */
export async function installOpenApi(
  app: FastifyInstance,
  options: OpenApiOptions & { readonly title: string },
): Promise<void> {
  // the documentation is public: it says no more than a client needs to call the API
  app.addHook('onRoute', (route) => {
    if (isDocsRoute(route.url)) route.config = { ...route.config, public: true };
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: options.title,
        version: options.version,
        description: [options.description, REQUEST_RULES].filter(Boolean).join('\n\n'),
      },
      components: {
        securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: API_KEY_HEADER } },
      },
      security: [{ apiKey: [] }],
    },
    transform: (input) => {
      const output = jsonSchemaTransform(input);
      const isPublic = (input.route.config as { public?: boolean } | undefined)?.public === true;
      return isPublic ? { ...output, schema: { ...output.schema, security: [] } } : output;
    },
  });

  await app.register(fastifySwaggerUi, { routePrefix: DOCS_PREFIX, ...bundledUiOptions() });
}
