import { BlobStore, createS3Client } from '@docflow/blobs';
import type { HttpApp } from '@docflow/http';
import { startTestEmulator, type TestEmulator } from '@docflow/local/testing';
import { captureLogs } from '@docflow/observability/testing';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { QueueProducer, createSqsClient } from '@docflow/queue';
import { buildIngestApp, type IngestAppOptions } from '../app.js';

type S3Client = ReturnType<typeof createS3Client>;

export const API_KEY = 'ingest-test-key-0123456789';

export interface Harness {
  readonly emulator: TestEmulator;
  readonly s3: S3Client;
  readonly blobs: BlobStore;
  readonly queue: QueueProducer;
  readonly logLines: Record<string, unknown>[];
  /** Builds an ingest app on the emulator; `overrides` swap parts (e.g. a missing bucket). */
  build(overrides?: Partial<IngestAppOptions>): Promise<HttpApp>;
  /** The bodies of the messages on the documents queue, parsed. */
  queued(): Record<string, unknown>[];
  stop(): Promise<void>;
}

/** The emulator, real SDK clients on it, and apps built the way main.ts builds them. */
export async function startHarness(): Promise<Harness> {
  const emulator = await startTestEmulator();
  const s3 = createS3Client(emulator.aws);
  const sqs = createSqsClient(emulator.aws);
  const blobs = new BlobStore(s3, emulator.bucket);
  const queue = new QueueProducer({ client: sqs, queueUrl: emulator.queueUrl });
  const { logger, lines: logLines } = captureLogs('ingest');
  const apps: HttpApp[] = [];

  return {
    emulator,
    s3,
    blobs,
    queue,
    logLines,
    async build(overrides = {}) {
      const app = await buildIngestApp({ logger, apiKeys: [API_KEY], requestTimeoutMs: 30_000, blobs, queue, ...overrides });
      apps.push(app);
      return app;
    },
    queued: () => emulator.messages('queue').map((message) => JSON.parse(message.body) as Record<string, unknown>),
    async stop() {
      await Promise.all(apps.map((app) => app.close()));
      s3.destroy();
      sqs.destroy();
      await emulator.stop();
    },
  };
}

/**
 * The harness and one app built on it for the tests of a `describe` block: started before them,
 * stopped after them, the emulator emptied before each. Read `h` and `app` inside the tests.
 */
export function useIngestApp(): { readonly h: Harness; readonly app: HttpApp } {
  let harness: Harness | undefined;
  let built: HttpApp | undefined;
  beforeAll(async () => {
    harness = await startHarness();
    built = await harness.build();
  });
  afterAll(async () => {
    await harness?.stop();
  });
  beforeEach(() => harness?.emulator.reset());
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useIngestApp: read h and app inside a test, after beforeAll');
    return value;
  };
  return {
    get h() {
      return started(harness);
    },
    get app() {
      return started(built);
    },
  };
}

export const headers = { 'x-api-key': API_KEY };

/** An HTML page of about `bytes` bytes with a title and real words. */
export function htmlPage(bytes: number, title = 'Quarterly report'): string {
  const paragraph = '<p>The harbour pilots measured the tide twice before the ferry left the quay.</p>\n';
  const head = `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1>\n`;
  const tail = '</body></html>\n';
  return head + paragraph.repeat(Math.ceil((bytes - head.length - tail.length) / paragraph.length)) + tail;
}
