/**
 * The customer-managed KMS keys of an environment (keys: customer-managed), as the constructs that
 * encrypt with them take them: `dataKeyArn` for documents, secrets and images, `logsKeyArn` for log
 * groups, the alarm topic and the audit trail (foundation/environment-keys.ts creates them).
 */
export interface EncryptionKeys {
  readonly dataKeyArn: string;
  readonly logsKeyArn: string;
}
