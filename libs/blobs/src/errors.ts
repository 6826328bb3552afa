/** No object is stored under this key. */
export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';

  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`no blob at s3://${bucket}/${key}`);
  }
}

/** A content-addressed object whose body no longer matches the digest in its key. */
export class BlobIntegrityError extends Error {
  override readonly name = 'BlobIntegrityError';

  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly actualSha256: string,
  ) {
    super(`blob s3://${bucket}/${key} is corrupt: its body has SHA-256 ${actualSha256}`);
  }
}
