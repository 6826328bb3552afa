import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { FauxqsServer } from 'fauxqs';
import type { EmulatorClients } from './emulator-clients.js';

/**
 * Snapshot of the emulator's state, because fauxqs 1.9.2 keeps everything in memory (its 2.x
 * persistence needs node:sqlite, i.e. Node 22). Messages are read with fauxqs's non-destructive
 * `inspectQueue` (a ReceiveMessage would change their visibility and receive counts) and
 * re-sent through the real SQS API; objects go through the real S3 API both ways.
 *
 * Layout of the snapshot dir (replaced as a whole on every write):
 *   snapshot.json   queues' messages and the objects' metadata
 *   objects/<n>     object bodies, byte for byte
 */
export interface SnapshotCounts {
  readonly messages: number;
  readonly objects: number;
}

export interface SnapshotLayout {
  /** Queue name → queue URL of every queue to save and restore. */
  readonly queues: Readonly<Record<string, string>>;
  readonly bucket: string;
}

interface SnapshotMessage {
  readonly body: string;
  readonly messageAttributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  /** Delay left when the snapshot was written (SQS allows at most 900 s). */
  readonly delaySeconds: number;
  /** Receives so far; informational, SQS has no way to set it on a new message. */
  readonly receiveCount: number;
}

interface SnapshotObject {
  readonly key: string;
  readonly file: string;
  readonly contentType?: string;
  readonly metadata: Record<string, string>;
}

interface Snapshot {
  readonly version: 1;
  readonly writtenAt: string;
  readonly queues: Record<string, SnapshotMessage[]>;
  readonly objects: SnapshotObject[];
}

const MANIFEST = 'snapshot.json';
const MAX_DELAY_SECONDS = 900;

export async function writeSnapshot(
  snapshotDir: string,
  server: FauxqsServer,
  clients: EmulatorClients,
  layout: SnapshotLayout,
): Promise<SnapshotCounts> {
  const staging = stagingDirOf(snapshotDir);
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'objects'), { recursive: true });

  const now = Date.now();
  const queues: Record<string, SnapshotMessage[]> = {};
  let messages = 0;
  for (const name of Object.keys(layout.queues)) {
    const state = server.inspectQueue(name);
    if (state === undefined) continue;
    // in-flight messages belonged to consumers that stop with the environment: restore them as ready
    const all = [...state.messages.ready, ...state.messages.delayed, ...state.messages.inflight.map((entry) => entry.message)];
    all.sort((a, b) => a.sentTimestamp - b.sentTimestamp);
    queues[name] = all.map((message) => ({
      body: message.body,
      messageAttributes: message.messageAttributes,
      delaySeconds:
        message.delayUntil !== undefined && message.delayUntil > now
          ? Math.min(MAX_DELAY_SECONDS, Math.ceil((message.delayUntil - now) / 1000))
          : 0,
      receiveCount: message.approximateReceiveCount,
    }));
    messages += all.length;
  }

  const objects: SnapshotObject[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await clients.s3.send(
      new ListObjectsV2Command({ Bucket: layout.bucket, ContinuationToken: continuationToken }),
    );
    for (const entry of page.Contents ?? []) {
      if (entry.Key === undefined) continue;
      const object = await clients.s3.send(new GetObjectCommand({ Bucket: layout.bucket, Key: entry.Key }));
      const bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
      const file = String(objects.length);
      await writeFile(join(staging, 'objects', file), bytes);
      objects.push({
        key: entry.Key,
        file,
        ...(object.ContentType !== undefined ? { contentType: object.ContentType } : {}),
        metadata: object.Metadata ?? {},
      });
    }
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken !== undefined);

  const snapshot: Snapshot = { version: 1, writtenAt: new Date(now).toISOString(), queues, objects };
  await writeFile(join(staging, MANIFEST), `${JSON.stringify(snapshot, null, 2)}\n`);
  // the manifest, written last, marks the staging dir complete: from here on a crash leaves a
  // snapshot to restore, the previous one until it is removed and this one after (see restore)
  await rm(snapshotDir, { recursive: true, force: true });
  await rename(staging, snapshotDir);
  return { messages, objects: objects.length };
}

/**
 * Re-creates the snapshot's messages and objects. The snapshot stays in place, so a crash before
 * the next clean stop restores it again: messages may be delivered twice (processing is
 * idempotent), but nothing accepted is lost. Message ids and receive counts are new.
 */
export async function restoreSnapshot(
  snapshotDir: string,
  clients: EmulatorClients,
  layout: SnapshotLayout,
): Promise<SnapshotCounts> {
  const manifestPath = join(snapshotDir, MANIFEST);
  if (!existsSync(manifestPath) && existsSync(join(stagingDirOf(snapshotDir), MANIFEST))) {
    // a stop crashed between removing the previous snapshot and renaming the complete new one
    await rm(snapshotDir, { recursive: true, force: true });
    await rename(stagingDirOf(snapshotDir), snapshotDir);
  }
  if (!existsSync(manifestPath)) return { messages: 0, objects: 0 };
  const snapshot = parseSnapshot(await readFile(manifestPath, 'utf8'), manifestPath);

  for (const object of snapshot.objects) {
    const body = await readFile(join(snapshotDir, 'objects', object.file));
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: layout.bucket,
        Key: object.key,
        Body: body,
        ContentType: object.contentType,
        Metadata: object.metadata,
      }),
    );
  }

  let messages = 0;
  for (const [name, queueMessages] of Object.entries(snapshot.queues)) {
    const queueUrl = layout.queues[name];
    if (queueUrl === undefined) {
      throw new Error(`the snapshot holds messages of queue "${name}", which this emulator does not create`);
    }
    for (const message of queueMessages) {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: message.body,
          DelaySeconds: message.delaySeconds,
          MessageAttributes: toSdkAttributes(message.messageAttributes),
        }),
      );
      messages += 1;
    }
  }
  return { messages, objects: snapshot.objects.length };
}

/** Where a snapshot is written before it replaces the previous one. */
function stagingDirOf(snapshotDir: string): string {
  return `${snapshotDir}.writing`;
}

function toSdkAttributes(attributes: SnapshotMessage['messageAttributes']): Record<string, MessageAttributeValue> | undefined {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(
    entries.map(([name, value]) => [
      name,
      {
        DataType: value.DataType,
        ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
        // fauxqs keeps binary attributes as the base64 text they travelled as
        ...(value.BinaryValue !== undefined ? { BinaryValue: Buffer.from(value.BinaryValue, 'base64') } : {}),
      },
    ]),
  );
}

function parseSnapshot(text: string, path: string): Snapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const snapshot = value as Partial<Snapshot> | null;
  if (snapshot?.version !== 1) throw new Error(`${path} has an unknown version (expected 1)`);
  if (typeof snapshot.queues !== 'object' || snapshot.queues === null || !Array.isArray(snapshot.objects)) {
    throw new Error(`${path} lacks "queues" or "objects"`);
  }
  return snapshot as Snapshot;
}
