import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ArchiveFile } from '../archive/format.js';
import { keyOf, LocationError, parseBucketUrl, type ArchiveStore } from './store.js';

/** S3 refuses a single PutObject over 5 GiB. */
const MAX_SINGLE_UPLOAD_BYTES = 5 * 1024 ** 3;

/**
 * Archives under an S3 prefix (`s3://bucket/prefix`). Uploads carry the SHA-256 the exporter
 * computed, and S3 refuses an object whose bytes do not match it (the local emulator does not
 * check it; restore checks every file against the manifest either way).
 */
export class S3Store implements ArchiveStore {
  readonly bucket: string;
  readonly prefix: string;

  constructor(
    readonly location: string,
    private readonly client: S3Client,
  ) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseBucketUrl(location, 's3'));
  }

  /** Local environment only: the emulator starts with the documents bucket alone, so an archive bucket is made on first use. */
  async createBucketIfMissing(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    }
  }

  async listFolders(): Promise<string[]> {
    const base = this.prefix === '' ? '' : `${this.prefix}/`;
    const folders: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const common of page.CommonPrefixes ?? []) {
        if (common.Prefix !== undefined) folders.push(common.Prefix.slice(base.length).replace(/\/$/, ''));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return folders.sort();
  }

  async readText(key: string): Promise<string | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      return (await object.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async writeText(key: string, text: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key), Body: text, ContentType: contentTypeOf(key) }));
  }

  async upload(localPath: string, key: string, file: ArchiveFile): Promise<void> {
    if (file.bytes > MAX_SINGLE_UPLOAD_BYTES) {
      throw new LocationError(`${key} is ${file.bytes} bytes, over S3's 5 GiB limit for one upload`);
    }
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.keyOf(key),
        Body: createReadStream(localPath),
        ContentLength: file.bytes,
        ContentType: contentTypeOf(key),
        ChecksumSHA256: Buffer.from(file.sha256, 'hex').toString('base64'),
      }),
    );
  }

  async download(key: string, localPath: string): Promise<void> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
    await pipeline(object.Body as Readable, createWriteStream(localPath));
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
  }

  async removeFolder(key: string): Promise<void> {
    const base = `${this.keyOf(key)}/`;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, ...(token ? { ContinuationToken: token } : {}) }));
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key !== undefined ? [{ Key: object.Key }] : []));
      if (keys.length > 0) {
        const result = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }));
        // DeleteObjects answers 200 even when some keys failed: each failure is listed
        const failed = result.Errors ?? [];
        if (failed.length > 0) throw new Error(`could not delete ${failed.length} object(s), first ${failed[0]?.Key}: ${failed[0]?.Message}`);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  close(): void {
    this.client.destroy();
  }

  private keyOf(key: string): string {
    return keyOf(this.prefix, key);
  }
}

export function contentTypeOf(key: string): string {
  if (key.endsWith('.json')) return 'application/json';
  if (key.endsWith('.epub')) return 'application/epub+zip';
  if (key.endsWith('.gz')) return 'application/gzip';
  return 'application/octet-stream';
}
