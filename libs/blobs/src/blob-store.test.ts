import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { sha256Hex } from '@docflow/contracts';
import { startSilentServer, startTestEmulator, type TestEmulator } from '@docflow/local/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobIntegrityError, BlobNotFoundError, BlobStore, createS3Client } from './index.js';

describe('BlobStore (fauxqs)', () => {
  let emulator: TestEmulator;
  let client: S3Client;
  let store: BlobStore;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = createS3Client(emulator.aws);
    store = new BlobStore(client, emulator.bucket);
  });

  afterAll(async () => {
    client.destroy();
    await emulator.stop();
  });

  it('stores a body under raw/<sha256> and reads it back with its content type', async () => {
    const body = '<html><head><title>Grüße</title></head><body>ünïcödé ✓</body></html>';
    const stored = await store.putDocument(body, 'text/html');
    const sha256 = sha256Hex(Buffer.from(body, 'utf8'));
    expect(stored).toEqual({ key: `raw/${sha256}`, sha256, sizeBytes: Buffer.byteLength(body, 'utf8') });
    expect(stored.sizeBytes).toBeGreaterThan(body.length);
    await expect(store.getDocument(stored.key)).resolves.toEqual({ body, contentType: 'text/html' });
  });

  it('is idempotent: the same body gives the same key and one object', async () => {
    const first = await store.putDocument('same body', 'text/plain');
    const second = await store.putDocument('same body', 'text/plain');
    expect(second).toEqual(first);
    const other = await store.putDocument('other body', 'text/plain');
    expect(other.key).not.toBe(first.key);
    await expect(store.getDocument(first.key)).resolves.toMatchObject({ body: 'same body' });
  });

  it('stores a 1 MiB document intact', async () => {
    const body = 'a'.repeat(1024 * 1024);
    const stored = await store.putDocument(body, 'text/markdown');
    const fetched = await store.getDocument(stored.key);
    expect(fetched.body.length).toBe(body.length);
    expect(fetched.body === body).toBe(true);
  });

  it('throws BlobNotFoundError for a missing key', async () => {
    const key = `raw/${'0'.repeat(64)}`;
    const failure = store.getDocument(key);
    await expect(failure).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(failure).rejects.toThrow(`no blob at s3://${emulator.bucket}/${key}`);
  });

  it('does not call a missing bucket a missing blob (that is worth retrying)', async () => {
    const failure = new BlobStore(client, 'no-such-bucket').getDocument(`raw/${'0'.repeat(64)}`);
    await expect(failure).rejects.toMatchObject({ name: 'NoSuchBucket' });
    await expect(failure).rejects.not.toBeInstanceOf(BlobNotFoundError);
  });

  it('throws BlobIntegrityError when a body does not match its content address', async () => {
    const key = `raw/${sha256Hex('original')}`;
    await client.send(new PutObjectCommand({ Bucket: emulator.bucket, Key: key, Body: 'tampered', ContentType: 'text/plain' }));
    await expect(store.getDocument(key)).rejects.toBeInstanceOf(BlobIntegrityError);
  });

  it('ping() resolves for the bucket and rejects for a missing one', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    await expect(new BlobStore(client, 'no-such-bucket').ping()).rejects.toThrow();
  });

  it('createS3Client() uses path-style URLs only with an endpoint', async () => {
    const local = createS3Client(emulator.aws);
    const aws = createS3Client({ region: 'eu-west-1' });
    expect(local.config.forcePathStyle).toBe(true);
    expect(aws.config.forcePathStyle).not.toBe(true);
    expect(await aws.config.region()).toBe('eu-west-1');
    local.destroy();
    aws.destroy();
  });
});

describe('createS3Client', () => {
  it('gives up on an endpoint that accepts connections but never answers (socket timeout)', async () => {
    const silent = await startSilentServer();
    const { endpoint } = silent;
    const client = createS3Client(
      { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
      { socketTimeoutMs: 200 },
    );
    try {
      await expect(new BlobStore(client, 'bucket').getDocument(`raw/${'0'.repeat(64)}`)).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(silent.connections).toBeGreaterThan(0);
    } finally {
      client.destroy();
      await silent.stop();
    }
  });
});
