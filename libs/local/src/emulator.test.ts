import { createServer, type Server } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { LOCAL_DEFAULTS, type AwsConfig } from '@docflow/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, startEmulator, type RunningEmulator } from './index.js';

function clientsFor(aws: AwsConfig) {
  const common = { region: aws.region, endpoint: aws.endpoint, credentials: aws.credentials };
  return { sqs: new SQSClient(common), s3: new S3Client({ ...common, forcePathStyle: true }) };
}

describe('startEmulator', () => {
  let emulator: RunningEmulator;
  let sqs: SQSClient;
  let s3: S3Client;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, visibilityTimeoutSeconds: 45 });
    ({ sqs, s3 } = clientsFor(emulator.aws));
  });

  afterAll(async () => {
    sqs.destroy();
    s3.destroy();
    await emulator.stop();
  });

  it('creates the queue with its visibility timeout, 1 MiB limit and a redrive policy to the DLQ', async () => {
    expect(emulator.queueUrl).toBe(
      `http://sqs.us-east-1.localhost:${emulator.port}/000000000000/${LOCAL_DEFAULTS.queueName}`,
    );
    expect(emulator.endpoint).toBe(`http://127.0.0.1:${emulator.port}`);
    const { Attributes: queue } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: emulator.queueUrl, AttributeNames: ['All'] }),
    );
    const { Attributes: dlq } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: emulator.deadLetterQueueUrl, AttributeNames: ['All'] }),
    );
    expect(queue?.VisibilityTimeout).toBe('45');
    expect(queue?.MaximumMessageSize).toBe('1048576');
    expect(JSON.parse(queue?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: dlq?.QueueArn,
      maxReceiveCount: '5',
    });
    expect(dlq?.QueueArn).toBe(`arn:aws:sqs:us-east-1:000000000000:${LOCAL_DEFAULTS.deadLetterQueueName}`);
    expect(Number(dlq?.MessageRetentionPeriod)).toBe(14 * 24 * 3600);
    expect(Number(dlq?.MessageRetentionPeriod)).toBeGreaterThan(Number(queue?.MessageRetentionPeriod));
  });

  it('moves a message to the DLQ after 5 receives', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: emulator.queueUrl, MessageBody: 'poison' }));
    for (let receive = 1; receive <= 5; receive += 1) {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: emulator.queueUrl, WaitTimeSeconds: 1 }));
      expect(Messages?.[0]?.Body).toBe('poison');
      // make it visible again at once instead of waiting for the visibility timeout
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: emulator.queueUrl,
          ReceiptHandle: Messages?.[0]?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    const { Messages: afterRedrive } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: emulator.queueUrl }));
    expect(afterRedrive ?? []).toEqual([]);
    const { Messages: deadLettered } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: emulator.deadLetterQueueUrl, WaitTimeSeconds: 1 }),
    );
    expect(deadLettered?.[0]?.Body).toBe('poison');
  });

  it('serves the bucket through the S3 API', async () => {
    await s3.send(new PutObjectCommand({ Bucket: emulator.bucket, Key: 'raw/abc', Body: 'hello', ContentType: 'text/plain' }));
    const object = await s3.send(new GetObjectCommand({ Bucket: emulator.bucket, Key: 'raw/abc' }));
    expect(await object.Body?.transformToString()).toBe('hello');
    expect(emulator.bucket).toBe(LOCAL_DEFAULTS.bucket);
  });

  it('listens on 127.0.0.1 only, not on every interface', () => {
    expect(emulator.server.address).toBe(`http://127.0.0.1:${emulator.port}`);
  });

  it('names the port when it is already in use', async () => {
    const blocker: Server = createServer();
    const port = await findFreePort();
    await new Promise<void>((resolve) => blocker.listen(port, '0.0.0.0', resolve));
    try {
      await expect(startEmulator({ port })).rejects.toThrow(
        `SQS/S3 emulator cannot start: port ${port} is already in use`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('stop() is idempotent', async () => {
    const other = await startEmulator({ port: 0 });
    await Promise.all([other.stop(), other.stop()]);
    await other.stop();
    const { sqs: client } = clientsFor(other.aws);
    await expect(client.send(new SendMessageCommand({ QueueUrl: other.queueUrl, MessageBody: 'x' }))).rejects.toThrow();
    client.destroy();
  });
});

describe('startEmulator with a snapshot dir', () => {
  let snapshotDir: string;

  beforeAll(async () => {
    snapshotDir = join(await mkdtemp(join(tmpdir(), 'docflow-emulator-')), 'emulator');
  });

  afterAll(async () => {
    await rm(join(snapshotDir, '..'), { recursive: true, force: true });
  });

  it('keeps pending messages (with attributes, also in-flight and DLQ ones) and objects across a stop/start', async () => {
    const first = await startEmulator({ port: 0, snapshotDir });
    expect(first.restored).toEqual({ messages: 0, objects: 0 });
    const one = clientsFor(first.aws);
    await one.sqs.send(
      new SendMessageCommand({
        QueueUrl: first.queueUrl,
        MessageBody: '{"v":1,"documentId":"a"}',
        MessageAttributes: {
          correlationId: { DataType: 'String', StringValue: 'corr-1' },
          raw: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 255]) },
        },
      }),
    );
    await one.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl, MessageBody: 'in flight' }));
    await one.sqs.send(new SendMessageCommand({ QueueUrl: first.deadLetterQueueUrl, MessageBody: 'dead' }));
    // receive one so that it is in flight when the emulator stops
    const { Messages: inFlight } = await one.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: first.queueUrl, MaxNumberOfMessages: 1 }),
    );
    expect(inFlight).toHaveLength(1);
    const body = new Uint8Array([0, 1, 2, 200, 255]);
    await one.s3.send(
      new PutObjectCommand({
        Bucket: first.bucket,
        Key: 'raw/0123',
        Body: body,
        ContentType: 'text/html; charset=utf-8',
        Metadata: { source: 'test' },
      }),
    );
    one.sqs.destroy();
    one.s3.destroy();
    await first.stop();

    const port = await findFreePort();
    const second = await startEmulator({ port, snapshotDir });
    const two = clientsFor(second.aws);
    try {
      expect(second.restored).toEqual({ messages: 3, objects: 1 });
      const { Messages } = await two.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: second.queueUrl,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
        }),
      );
      const byBody = new Map((Messages ?? []).map((message) => [message.Body, message]));
      expect([...byBody.keys()].sort()).toEqual(['in flight', '{"v":1,"documentId":"a"}']);
      const attributes = byBody.get('{"v":1,"documentId":"a"}')?.MessageAttributes;
      expect(attributes?.correlationId?.StringValue).toBe('corr-1');
      expect([...(attributes?.raw?.BinaryValue ?? [])]).toEqual([1, 2, 255]);
      const { Messages: dead } = await two.sqs.send(new ReceiveMessageCommand({ QueueUrl: second.deadLetterQueueUrl }));
      expect(dead?.map((message) => message.Body)).toEqual(['dead']);

      const object = await two.s3.send(new GetObjectCommand({ Bucket: second.bucket, Key: 'raw/0123' }));
      expect([...((await object.Body?.transformToByteArray()) ?? [])]).toEqual([...body]);
      expect(object.ContentType).toBe('text/html; charset=utf-8');
      expect(object.Metadata).toEqual({ source: 'test' });
    } finally {
      two.sqs.destroy();
      two.s3.destroy();
      await second.stop();
    }
  });

  it('restores a complete snapshot that a crashed stop left unrenamed', async () => {
    const dir = join(snapshotDir, '..', 'crashed');
    const first = await startEmulator({ port: 0, snapshotDir: dir });
    const one = clientsFor(first.aws);
    await one.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl, MessageBody: 'kept' }));
    one.sqs.destroy();
    one.s3.destroy();
    await first.stop();
    // the stop removed the previous snapshot and crashed before renaming the new, complete one
    await rename(dir, `${dir}.writing`);

    const second = await startEmulator({ port: 0, snapshotDir: dir });
    try {
      expect(second.restored).toEqual({ messages: 1, objects: 0 });
      expect(existsSync(join(dir, 'snapshot.json'))).toBe(true);
      expect(existsSync(`${dir}.writing`)).toBe(false);
    } finally {
      await second.stop();
    }
  });

  it('refuses a corrupt snapshot with a message that names it', async () => {
    const { writeFile, mkdir } = await import('node:fs/promises');
    const dir = join(snapshotDir, '..', 'corrupt');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'snapshot.json'), '{not json');
    await expect(startEmulator({ port: 0, snapshotDir: dir })).rejects.toThrow(
      /could not restore its snapshot from .*corrupt: .*snapshot\.json is not valid JSON/,
    );
  });
});

