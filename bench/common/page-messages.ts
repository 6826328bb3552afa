import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { documentIdFor, serializeDocumentMessage, sha256Hex } from '@docflow/contracts';
import { htmlPage } from '../ingest/page.js';

/**
 * The worker benchmarks' input, as ingest leaves it: one 10 KB HTML page stored once in the
 * emulator's bucket, and claim-check messages for it, each under its own URL (its own document).
 */
export async function storeBenchPage(aws: { endpoint: string; region: string; bucket: string }): Promise<(url: string, correlationId: string) => string> {
  const s3 = new S3Client({ region: aws.region, endpoint: aws.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, forcePathStyle: true });
  const page = htmlPage(10 * 1024);
  const sha256 = sha256Hex(page);
  await s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: `raw/${sha256}`, Body: page, ContentType: 'text/html' }));
  s3.destroy();
  return (url, correlationId) =>
    serializeDocumentMessage({
      v: 1,
      documentId: documentIdFor(url, sha256),
      blobKey: `raw/${sha256}`,
      sha256,
      url,
      contentType: 'text/html',
      receivedAt: new Date().toISOString(),
      attempt: 1,
      correlationId,
    });
}
