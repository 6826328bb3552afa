export { createS3Client, type S3ClientOptions } from './client.js';
export { BlobStore, type FetchedDocument, type StoredDocument } from './blob-store.js';
export { BlobIntegrityError, BlobNotFoundError } from './errors.js';
