import { describe, expect, it } from 'vitest';
import { MASKED, maskSecrets, maskSecretsInText } from './masking.js';

describe('maskSecrets', () => {
  it('masks values under credential-looking keys, and values that look like credentials under any key', () => {
    expect(maskSecrets({ db_password: 'hunter2', host: 'db.internal', url: 'postgres://app:hunter2@db:5432/docflow', key_id: 'AKIAIOSFODNN7EXAMPLE' })).toEqual({
      db_password: MASKED,
      host: 'db.internal',
      url: MASKED,
      key_id: MASKED,
    });
  });

  it('masks inside JSON-string attributes: an ECS environment entry named like a secret, and keeps the rest readable', () => {
    const containerDefinitions = JSON.stringify([
      {
        name: 'api',
        image: 'docflow-dev-api:abc',
        environment: [
          { name: 'DB_PASSWORD', value: 'plain-text-password' },
          { name: 'DOCFLOW_ENV', value: 'dev' },
        ],
        secrets: [{ name: 'DOCFLOW_API_KEYS', valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:docflow-dev/api-keys' }],
      },
    ]);
    const masked = maskSecrets({ container_definitions: containerDefinitions }) as { container_definitions: string };
    expect(JSON.parse(masked.container_definitions)).toEqual([
      {
        name: 'api',
        image: 'docflow-dev-api:abc',
        environment: [
          { name: 'DB_PASSWORD', value: MASKED },
          { name: 'DOCFLOW_ENV', value: 'dev' },
        ],
        // a secret's ARN is where it lives, not the secret
        secrets: [{ name: 'DOCFLOW_API_KEYS', valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:docflow-dev/api-keys' }],
      },
    ]);
    expect(masked.container_definitions).not.toContain('plain-text-password');
  });

  it('never masks Terraform references, ARNs, UUIDs, numbers or booleans', () => {
    expect(
      maskSecrets({ password: '${aws_db_instance.Db.password}', secret_arn: 'arn:aws:secretsmanager:x', id: 'd5d19063-5117-64f0-35f4-813e16327cea', password_length: 32, manage_master_user_password: true }),
    ).toEqual({
      password: '${aws_db_instance.Db.password}',
      secret_arn: 'arn:aws:secretsmanager:x',
      id: 'd5d19063-5117-64f0-35f4-813e16327cea',
      password_length: 32,
      manage_master_user_password: true,
    });
  });
});

describe('maskSecretsInText', () => {
  it('masks credentials inside free text and leaves the rest', () => {
    expect(maskSecretsInText('connect postgres://app:hunter2@db:5432/x with token=abc123 and key AKIAIOSFODNN7EXAMPLE')).toBe(
      `connect postgres://app:${MASKED}@db:5432/x with token=${MASKED} and key ${MASKED}`,
    );
    expect(maskSecretsInText('-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----')).toBe(MASKED);
    expect(maskSecretsInText('Plan: 1 to add, 0 to change, 0 to destroy.')).toBe('Plan: 1 to add, 0 to change, 0 to destroy.');
  });
});
