/**
 * The floor: bare Fastify doing the same work per document as ingest (parse the JSON, hash the
 * body, S3 PutObject at raw/<sha256>, SQS SendMessage of a claim check, answer 202) and nothing
 * else: no schema validation, auth, correlation ids, logging or OpenAPI.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import Fastify from 'fastify';
import { createHash } from 'node:crypto';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const endpoint = env('AWS_ENDPOINT_URL');
const region = env('AWS_REGION');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const s3 = new S3Client({ region, endpoint, credentials, forcePathStyle: true });
const sqs = new SQSClient({ region, endpoint, credentials });
const bucket = env('DOCFLOW_BUCKET');
const queueUrl = env('DOCFLOW_QUEUE_URL');

const app = Fastify({ bodyLimit: 8 * 1024 * 1024 });
app.post('/v1/documents', async (request, reply) => {
  const { url, contentType, body } = request.body as { url: string; contentType: string; body: string };
  const bytes = Buffer.from(body, 'utf8');
  const digest = createHash('sha256').update(bytes).digest();
  const sha256 = digest.toString('hex');
  // the same request BlobStore sends: S3 checks the upload against the SHA-256
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `raw/${sha256}`,
      Body: bytes,
      ContentType: contentType,
      ChecksumSHA256: digest.toString('base64'),
    }),
  );
  const documentId = createHash('sha256').update(`${url}\n${sha256}`).digest('hex').slice(0, 32);
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify({ v: 1, documentId, blobKey: `raw/${sha256}`, sha256, url, contentType, attempt: 1 }),
    }),
  );
  return reply.code(202).send({ documentId, status: 'queued' });
});
const address = await app.listen({ host: '127.0.0.1', port: Number(env('PORT')) });
process.stdout.write(`${JSON.stringify({ listening: address })}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
