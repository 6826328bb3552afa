import { randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { Logger } from '@docflow/observability';
import { migrate } from './migrations/runner.js';
import type { Pool } from './pool.js';
import { DATABASE_ROLES, LOGIN_ROLES, newPassword, provisionRoles, setRolePassword, type DatabaseRoles, type LoginRole } from './roles.js';

/**
 * Where the services' database credentials are kept, as a rotation needs it: a pending version is
 * stored first, the role's password changed second, and the pending version promoted to current
 * last. A service that meets the change in between finds the new password at the pending stage.
 */
export interface CredentialStore {
  /** Whether a current password is stored for the role (a new environment has none). */
  hasCurrent(role: LoginRole): Promise<boolean>;
  /** Stores credentials at the pending stage; returns the version to promote. */
  putPending(role: LoginRole, username: string, password: string): Promise<string>;
  /** Makes `version` the current one (the previous current one becomes previous). */
  promote(role: LoginRole, version: string): Promise<void>;
}

/** A Secrets Manager secret per login role (JSON `{ username, password }`, the shape RDS uses). */
export class SecretsManagerCredentialStore implements CredentialStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretIds: Readonly<Record<LoginRole, string>>,
  ) {}

  private async stages(role: LoginRole): Promise<Record<string, string[]>> {
    const secret = await this.client.send(new DescribeSecretCommand({ SecretId: this.secretIds[role] }));
    return (secret.VersionIdsToStages ?? {}) as Record<string, string[]>;
  }

  async hasCurrent(role: LoginRole): Promise<boolean> {
    return Object.values(await this.stages(role)).some((stages) => stages.includes('AWSCURRENT'));
  }

  async putPending(role: LoginRole, username: string, password: string): Promise<string> {
    const version = randomUUID();
    await this.client.send(
      new PutSecretValueCommand({
        SecretId: this.secretIds[role],
        ClientRequestToken: version,
        SecretString: JSON.stringify({ username, password }),
        VersionStages: ['AWSPENDING'],
      }),
    );
    return version;
  }

  async promote(role: LoginRole, version: string): Promise<void> {
    const current = Object.entries(await this.stages(role)).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: this.secretIds[role],
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: version,
        ...(current !== undefined && current !== version ? { RemoveFromVersionId: current } : {}),
      }),
    );
  }
}

/** A new password for one login role, in the order that never strands a running service. */
export async function rotateRole(master: Pool, store: CredentialStore, role: LoginRole, roles: DatabaseRoles = DATABASE_ROLES): Promise<void> {
  const password = newPassword();
  const version = await store.putPending(role, roles[role], password);
  await setRolePassword(master, roles[role], password);
  await store.promote(role, version);
}

export interface SetupResult {
  readonly applied: readonly { readonly version: number; readonly name: string }[];
  /** Login roles that had no stored password and got their first one. */
  readonly initialized: readonly LoginRole[];
}

/**
 * What a deploy runs before the services start, as the master user: the roles (created when
 * missing), the migrations as the owner and the services' grants, and a first password for a role
 * that has none stored yet (a new environment). Idempotent: every deploy runs it.
 */
export async function setupDatabase(master: Pool, store: CredentialStore, logger: Logger, roles: DatabaseRoles = DATABASE_ROLES): Promise<SetupResult> {
  await provisionRoles(master, roles);
  const { applied } = await migrate(master, { roles, logger });
  const initialized: LoginRole[] = [];
  for (const role of LOGIN_ROLES) {
    if (await store.hasCurrent(role)) continue;
    await rotateRole(master, store, role, roles);
    initialized.push(role);
  }
  return { applied, initialized };
}

/** The scheduled rotation: a new password for every login role. */
export async function rotateCredentials(master: Pool, store: CredentialStore, roles: DatabaseRoles = DATABASE_ROLES): Promise<LoginRole[]> {
  for (const role of LOGIN_ROLES) await rotateRole(master, store, role, roles);
  return [...LOGIN_ROLES];
}
