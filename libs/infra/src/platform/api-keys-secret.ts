import { Construct } from 'constructs';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret/index.js';
import type { SecretReference } from '../services/fargate-task.js';

export interface ApiKeysSecretProps {
  readonly secretName: string;
  /** Days a deleted secret can be restored. @default 7 */
  readonly recoveryWindowDays?: number;
  /** Encrypts the value (whoever reads it needs kms:Decrypt on it). @default - the AWS-managed Secrets Manager key */
  readonly kmsKeyArn?: string;
}

/**
 * The API keys of ingest and api (`DOCFLOW_API_KEYS`, comma-separated). Terraform creates the secret
 * but never its value, so no key passes through the state: an operator sets it once with
 * `aws secretsmanager put-secret-value` (docs/infrastructure.md) before the services start.
 */
export class ApiKeysSecret extends Construct {
  readonly secret: SecretsmanagerSecret;
  readonly kmsKeyArn?: string;

  constructor(scope: Construct, id: string, props: ApiKeysSecretProps) {
    super(scope, id);
    const recoveryWindowDays = props.recoveryWindowDays ?? 7;
    this.secret = new SecretsmanagerSecret(this, 'Secret', {
      name: props.secretName,
      description: 'docflow API keys (DOCFLOW_API_KEYS): comma-separated, each at least 16 characters. Set with put-secret-value.',
      recoveryWindowInDays: recoveryWindowDays,
      ...(props.kmsKeyArn !== undefined ? { kmsKeyId: props.kmsKeyArn } : {}),
    });
    if (props.kmsKeyArn !== undefined) this.kmsKeyArn = props.kmsKeyArn;
  }

  /** The secret as ECS injects it (the execution role may decrypt it with its key, when it has one). */
  reference(): SecretReference {
    return { secretArn: this.secret.arn, ...(this.kmsKeyArn !== undefined ? { kmsKeyArn: this.kmsKeyArn } : {}) };
  }
}
