/**
 * A service process for the shutdown tests: `/slow` stays in flight until shutdown has begun,
 * `/stuck` never finishes. Writes JSON log lines to stdout like a real service.
 */
import { createLogger } from '@docflow/observability';
import { buildHttpApp } from '../app.js';
import { serve } from '../serve.js';

const logger = createLogger({ service: 'fixture' });
const app = await buildHttpApp({
  service: 'fixture',
  logger,
  apiKeys: ['fixture-key'],
  requestTimeoutMs: 30_000,
  readiness: {},
  openapi: { version: '0.0.0' },
});

let shutdownStarted: () => void = () => undefined;
const shuttingDown = new Promise<void>((resolve) => (shutdownStarted = resolve));
app.addHook('preClose', async () => shutdownStarted());
app.addHook('onClose', async () => logger.info('fixture resource closed'));

app.get('/slow', { config: { public: true } }, async (request) => {
  request.log.info('slow request started');
  await shuttingDown;
  // still some work to do after the signal: the answer must wait for it
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { finished: true };
});
app.get('/stuck', { config: { public: true } }, async (request) => {
  request.log.info('stuck request started');
  await new Promise(() => undefined);
});

await serve(app, { host: '127.0.0.1', port: 0, shutdownTimeoutMs: Number(process.env['SHUTDOWN_TIMEOUT_MS'] ?? 10_000) });
