import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsConfig, DatabaseCredentials } from '@docflow/config';

/** The SQLSTATEs of a refused login: a wrong password (28P01), or any other refused authentication (28000, e.g. PAM). */
export const AUTHENTICATION_FAILED = ['28P01', '28000'] as const;

/** Whether an error is PostgreSQL refusing the credentials (a rotated password, a stale cached one). */
export function isAuthenticationFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (AUTHENTICATION_FAILED as readonly string[]).includes(code);
}

/**
 * Where a rotation leaves a password: `current` is the one in use; `pending` the one a rotation is
 * about to make current (Secrets Manager's AWSPENDING stage), tried when current is refused.
 */
export type PasswordStage = 'current' | 'pending';

/** Reads the password at a stage; `undefined` when there is none at that stage. */
export type PasswordReader = (stage: PasswordStage) => Promise<string | undefined>;

/**
 * A password that can change under a running service. `get()` is what a new connection asks: the
 * cached value, read once. `refuse(password)` after PostgreSQL refused the password a connection
 * was given: if the cache still holds it, the next `get()` reads the source again, and takes the
 * pending password when the current one is still the refused one (a rotation between setting the
 * new password and promoting it). A refusal of a password the cache has already moved past (a
 * connection that started before another connection's refusal read the new one) keeps the cache:
 * forgetting the new password there would send the next connection back to the old one.
 */
export class RotatingPassword {
  private cached: Promise<string> | undefined;
  /** What the cache resolved to; undefined while a read is in flight. */
  private loaded: string | undefined;
  private rejected: string | undefined;
  /** How many times the source was read (what a rotation costs). */
  reads = 0;

  constructor(private readonly read: PasswordReader) {}

  /** The password to open a connection with. */
  readonly get = async (): Promise<string> => {
    if (this.cached === undefined) {
      this.loaded = undefined;
      const loading = this.load().then(
        (value) => {
          if (this.cached === loading) this.loaded = value;
          return value;
        },
        (error: unknown) => {
          if (this.cached === loading) this.cached = undefined;
          throw error;
        },
      );
      this.cached = loading;
    }
    return this.cached;
  };

  /**
   * PostgreSQL refused `password`, the one a connection was given (`undefined` when unknown: then
   * whatever the cache holds is taken as refused).
   */
  refuse(password: string | undefined): void {
    const refused = password ?? this.loaded ?? this.rejected;
    this.rejected = refused;
    if (this.cached !== undefined && (password === undefined || this.loaded === refused)) {
      this.cached = undefined;
      this.loaded = undefined;
    }
  }

  private async load(): Promise<string> {
    this.reads += 1;
    // after a refusal, the pending stage before the current one: a rotation that promotes the
    // pending password between the two reads then shows as the new current one, where reading
    // current first could meet the old password and then no pending one any more
    const pending = this.rejected !== undefined ? await this.read('pending') : undefined;
    const current = await this.read('current');
    if (current !== undefined && current !== this.rejected) return current;
    if (pending !== undefined && pending !== this.rejected) return pending;
    if (current === undefined) throw new Error('no database password is stored yet');
    return current;
  }
}

/** A password kept in a file (a mounted secret): read again after every refusal. */
export function filePassword(path: string): PasswordReader {
  return async (stage) => {
    if (stage === 'pending') return undefined;
    return (await readFile(path, 'utf8')).trim();
  };
}

/** Longest a Secrets Manager call may take before the connection attempt fails (and is retried). */
const SECRET_TIMEOUT_MS = 5_000;

/**
 * A password in a Secrets Manager secret whose value is JSON with `username` and `password` (RDS's
 * and docflow's rotation write that shape): AWSCURRENT, or AWSPENDING during a rotation.
 */
export function secretPassword(secretId: string, aws: AwsConfig, client = secretsClient(aws)): PasswordReader {
  return async (stage) => {
    try {
      const response = await client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage === 'current' ? 'AWSCURRENT' : 'AWSPENDING' }),
      );
      const value = JSON.parse(response.SecretString ?? '{}') as { password?: unknown };
      if (typeof value.password !== 'string' || value.password === '') throw new Error(`secret ${secretId} has no password`);
      return value.password;
    } catch (error) {
      // a secret with no version at that stage yet: nothing there
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  };
}

function secretsClient(aws: AwsConfig): SecretsManagerClient {
  return new SecretsManagerClient({
    region: aws.region,
    ...(aws.endpoint ? { endpoint: aws.endpoint } : {}),
    ...(aws.credentials ? { credentials: aws.credentials } : {}),
    requestHandler: { connectionTimeout: SECRET_TIMEOUT_MS, socketTimeout: SECRET_TIMEOUT_MS },
  });
}

/** The password source of a configuration, or none when the URL carries the password. */
export function passwordSource(credentials: DatabaseCredentials | undefined): RotatingPassword | undefined {
  if (credentials === undefined || credentials.kind === 'url') return undefined;
  return new RotatingPassword(credentials.kind === 'file' ? filePassword(credentials.path) : secretPassword(credentials.secretId, credentials.aws));
}
