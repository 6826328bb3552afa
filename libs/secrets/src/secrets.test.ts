import { describe, expect, it } from 'vitest';
import { looksLikeSecretName, looksLikeSecretValue } from './secrets.js';

describe('secret detection', () => {
  it('flags credential names and values, not identifiers or references', () => {
    expect(['DB_PASSWORD', 'DOCFLOW_API_KEYS', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY'].every(looksLikeSecretName)).toBe(true);
    expect(['DB_HOST', 'DOCFLOW_QUEUE_URL', 'SQS_BODY', 'WORKER_MAX_ATTEMPTS'].some(looksLikeSecretName)).toBe(false);
    expect(looksLikeSecretValue('AKIAIOSFODNN7EXAMPLE')).toBe(true);
    expect(looksLikeSecretValue('postgres://docflow:hunter2@db:5432/docflow')).toBe(true);
    expect(looksLikeSecretValue('Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo=')).toBe(true);
    expect(looksLikeSecretValue('${aws_sqs_queue.Queue_ABC123.url}')).toBe(false);
    expect(looksLikeSecretValue('arn:aws:secretsmanager:eu-west-1:123456789012:secret:docflow-AbCdEf')).toBe(false);
    expect(looksLikeSecretValue('eu-west-1')).toBe(false);
  });
});
