import { GetObjectCommand, HeadBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { blobKeyFor, sha256Hex } from '@docflow/contracts';
import { BlobIntegrityError, BlobNotFoundError } from './errors.js';

export interface StoredDocument {
  /** `raw/<sha256>`. */
  readonly key: string;
  readonly sha256: string;
  /** UTF-8 bytes stored. */
  readonly sizeBytes: number;
}

export interface FetchedDocument {
  readonly body: string;
  readonly contentType: string;
}

const CONTENT_ADDRESSED_KEY = /^raw\/([0-9a-f]{64})$/;
/** S3's own default, answered when an object was stored without a content type. */
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/**
 * Content-addressed document bodies in one bucket: a body is stored under the SHA-256 of its
 * bytes, so storing the same body twice writes the same object (idempotent) and a key always
 * names exactly one body. Only PutObject is used to store (ingest may not read the bucket).
 */
export class BlobStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  /**
   * Stores a body under `raw/<sha256>`. S3 verifies the upload against the SHA-256 sent along.
   * The same body stored with another content type keeps the later one; the queue message
   * carries the content type the worker goes by.
   */
  async putDocument(body: string, contentType: string): Promise<StoredDocument> {
    const bytes = Buffer.from(body, 'utf8');
    const sha256 = sha256Hex(bytes);
    const key = blobKeyFor(sha256);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: bytes,
        ContentType: contentType,
        ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
      }),
    );
    return { key, sha256, sizeBytes: bytes.byteLength };
  }

  /**
   * Reads a body back as UTF-8. Throws BlobNotFoundError for a missing key and
   * BlobIntegrityError when a content-addressed body does not match its key.
   */
  async getDocument(key: string): Promise<FetchedDocument> {
    let object;
    try {
      object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (isNotFound(error)) throw new BlobNotFoundError(this.bucket, key);
      throw error;
    }
    const bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
    const expected = CONTENT_ADDRESSED_KEY.exec(key)?.[1];
    if (expected !== undefined) {
      const actual = sha256Hex(bytes);
      if (actual !== expected) throw new BlobIntegrityError(this.bucket, key, actual);
    }
    return {
      body: Buffer.from(bytes).toString('utf8'),
      contentType: object.ContentType ?? DEFAULT_CONTENT_TYPE,
    };
  }

  /** Readiness: the bucket exists and is reachable (HeadBucket, i.e. s3:ListBucket). */
  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }
}

/**
 * Only a missing key: a missing bucket also answers 404 (NoSuchBucket), but that is a
 * misconfiguration or an outage, and calling it "not found" would make the worker record every
 * document as failed for good instead of retrying.
 */
function isNotFound(error: unknown): boolean {
  return (error as { name?: unknown }).name === 'NoSuchKey';
}
