/**
 * The worker's floor: receive (10 at a time) + upsert + DeleteMessageBatch and nothing else
 * (no S3 read, no extraction, no contract parsing, no heartbeat or logging), with as many loops as
 * the worker handles messages at once. Writes through DocumentsRepository: the same SQL as the
 * worker, document_terms trigger included.
 *
 * Usage: DATABASE_URL=... AWS_ENDPOINT_URL=... DOCFLOW_QUEUE_URL=... LOOPS=4 node --import tsx bench/worker/floor.ts
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DocumentsRepository } from '@docflow/db';
import pg from 'pg';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const queueUrl = env('DOCFLOW_QUEUE_URL');
const loops = Number(process.env['LOOPS'] ?? 4);
const sqs = new SQSClient({ region: 'us-east-1', endpoint: env('AWS_ENDPOINT_URL'), credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: loops });
const documents = new DocumentsRepository(pool);
let stopping = false;
process.on('SIGTERM', () => (stopping = true));

async function loop(): Promise<void> {
  while (!stopping) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    if (Messages.length === 0) continue;
    for (const message of Messages) {
      const m = JSON.parse(message.Body ?? '{}') as { documentId: string; url: string; sha256: string; receivedAt: string; title?: string };
      await documents.upsert({
        id: m.documentId,
        url: m.url,
        contentType: 'text/html',
        title: m.title ?? 'Benchmark page',
        text: TEXT,
        sha256: m.sha256,
        sizeBytes: TEXT.length,
        receivedAt: m.receivedAt,
      });
    }
    await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })) }),
    );
  }
}

/** What the worker extracts from the benchmark page, about the same length. */
const TEXT = 'The harbour pilots measured the tide twice before the "ferry" left the quay. '.repeat(120);

process.stdout.write(`${JSON.stringify({ msg: 'floor ready' })}\n`);
await Promise.all(Array.from({ length: loops }, loop));
await pool.end();
sqs.destroy();
