import type { FastifyInstance } from 'fastify';
import { createApiKeyVerifier } from './api-keys.js';
import { HttpError } from './http-error.js';
import './route-config.js';

export const API_KEY_HEADER = 'x-api-key';

/**
 * Every route needs a valid `x-api-key` unless it says `config: { public: true }`. Unknown routes
 * answer 404 without a key: there is nothing behind them to protect.
 */
export function installApiKeyAuth(app: FastifyInstance, apiKeys: readonly string[]): void {
  const verify = createApiKeyVerifier(apiKeys);
  app.addHook('onRequest', async (request) => {
    if (request.is404 || request.routeOptions.config.public === true) return;
    const presented = request.headers[API_KEY_HEADER];
    if (typeof presented !== 'string' || presented.length === 0) {
      throw new HttpError(401, `Missing API key: send it in the ${API_KEY_HEADER} header`);
    }
    if (!verify(presented)) throw new HttpError(401, 'Invalid API key');
  });
}
