import { BlobStore, createS3Client } from '@docflow/blobs';
import { loadIngestConfig, loadOrExit } from '@docflow/config';
import { serve } from '@docflow/http';
import { createLogger } from '@docflow/observability';
import { QueueProducer, createSqsClient } from '@docflow/queue';
import { buildIngestApp } from './app.js';

const config = loadOrExit(() => loadIngestConfig());
const logger = createLogger({ service: 'ingest', level: config.logLevel });

const s3 = createS3Client(config.aws);
const sqs = createSqsClient(config.aws);
const app = await buildIngestApp({
  logger,
  apiKeys: config.http.apiKeys,
  requestTimeoutMs: config.http.requestTimeoutMs,
  readinessGraceMs: config.http.readinessGraceMs,
  blobs: new BlobStore(s3, config.bucket),
  queue: new QueueProducer({ client: sqs, queueUrl: config.queueUrl }),
});
// the SDK clients hold sockets open: they close with the app
app.addHook('onClose', async () => {
  s3.destroy();
  sqs.destroy();
});

logger.info({ env: config.env, queueUrl: config.queueUrl, bucket: config.bucket }, 'ingest starting');
await serve(app, { host: config.http.host, port: config.http.port, shutdownTimeoutMs: config.shutdownTimeoutMs });
