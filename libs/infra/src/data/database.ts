import { Construct } from 'constructs';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance/index.js';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group/index.js';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group/index.js';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret/index.js';
import { SecretsmanagerSecretRotation } from '@cdktf/provider-aws/lib/secretsmanager-secret-rotation/index.js';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import type { Subnet } from '@cdktf/provider-aws/lib/subnet/index.js';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import { allow, type PolicyStatement } from '../core/iam.js';
import { logGroupWithRetention } from '../core/log-group.js';
import { allowEgress, allowIngress, emptySecurityGroup } from '../core/security-group.js';
import type { EncryptionKeys } from '../core/keys.js';
import { pascalCase } from '../core/naming.js';

export const POSTGRES_PORT = 5432;

/**
 * The database roles the services log in as (@docflow/db's DATABASE_ROLES creates them: the infra
 * cannot import runtime code, so the two lists name the same roles).
 */
export const DATABASE_LOGIN_ROLES = { api: 'docflow_api', worker: 'docflow_worker' } as const;
export type DatabaseLoginRole = keyof typeof DATABASE_LOGIN_ROLES;

/** Where the images carry the RDS CA bundle (libs/db/certs, copied into every bundle's dist/). */
export const RDS_CA_BUNDLE_PATH = '/app/rds-ca-bundle.pem';

/** Connections live at most this long, so that every service picks up a rotated password within it even when idle. */
const CONNECTION_LIFETIME_SECONDS = 900;
const DATABASE_LOG_EXPORTS = ['postgresql', 'upgrade'] as const;

export interface DatabaseProps {
  readonly namePrefix: string;
  readonly vpc: Vpc;
  /** Isolated subnets in at least two AZs. */
  readonly subnets: readonly Subnet[];
  /** Security groups allowed to connect on 5432 (and given the matching egress rule). */
  readonly clients: readonly SecurityGroup[];
  /** PostgreSQL major version (16 or newer). @default 17 */
  readonly engineMajorVersion?: number;
  /** @default "db.t4g.micro" */
  readonly instanceClass?: string;
  /** @default 20 */
  readonly allocatedStorageGiB?: number;
  /** Storage autoscaling ceiling. @default - twice allocatedStorageGiB */
  readonly maxAllocatedStorageGiB?: number;
  /** @default 7 */
  readonly backupRetentionDays?: number;
  /** Standby in a second AZ. @default false */
  readonly multiAz?: boolean;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** Take a final snapshot when the instance is deleted. @default - same as deletionProtection */
  readonly finalSnapshot?: boolean;
  /** Keep the automated (point-in-time) backups when the instance is deleted (RDS deletes them by default). @default - same as finalSnapshot */
  readonly keepAutomatedBackups?: boolean;
  /** Export the PostgreSQL and upgrade logs to CloudWatch and turn on Performance Insights. @default false */
  readonly enhancedMonitoring?: boolean;
  /** Retention of the exported logs (enhancedMonitoring). @default 30 */
  readonly logRetentionDays?: number;
  /** @default "docflow" */
  readonly databaseName?: string;
  /** @default "docflow" */
  readonly masterUsername?: string;
  /** Encrypts the secrets (data) and the exported logs (logs). @default - AWS-managed keys */
  readonly keys?: EncryptionKeys;
  /** Days between new master passwords (RDS rotates the secret it manages). @default 7 */
  readonly masterPasswordRotationDays?: number;
  /** Days a deleted login secret can be restored. @default 30 */
  readonly secretRecoveryWindowDays?: number;
}

/**
 * RDS PostgreSQL: password generated and kept by RDS in Secrets Manager (never in Terraform state or
 * a container environment), storage encrypted, never public, TLS forced, reachable on 5432 only
 * from the client security groups.
 */
export class Database extends Construct {
  readonly instance: DbInstance;
  readonly securityGroup: SecurityGroup;
  readonly parameterGroup: DbParameterGroup;
  readonly databaseName: string;
  readonly allocatedStorageGiB: number;
  readonly port = POSTGRES_PORT;
  /** ARN of the RDS-managed secret (JSON with `username` and `password`): only the database administration task reads it. */
  readonly masterUserSecretArn: string;
  readonly masterUsername: string;
  /** Each service role's secret (JSON with `username` and `password`), written by the database administration task, never by Terraform. */
  readonly loginSecrets: Readonly<Record<DatabaseLoginRole, SecretsmanagerSecret>>;
  /** The key that encrypts the secrets, when it is a customer-managed one. */
  readonly secretsKmsKeyArn?: string;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const engineMajorVersion = props.engineMajorVersion ?? 17;
    const instanceClass = props.instanceClass ?? 'db.t4g.micro';
    const allocatedStorageGiB = props.allocatedStorageGiB ?? 20;
    const maxAllocatedStorageGiB = props.maxAllocatedStorageGiB ?? allocatedStorageGiB * 2;
    const backupRetentionDays = props.backupRetentionDays ?? 7;
    const multiAz = props.multiAz ?? false;
    const deletionProtection = props.deletionProtection ?? true;
    const finalSnapshot = props.finalSnapshot ?? deletionProtection;
    const keepAutomatedBackups = props.keepAutomatedBackups ?? finalSnapshot;
    const enhancedMonitoring = props.enhancedMonitoring ?? false;
    const logRetentionDays = props.logRetentionDays ?? 30;
    const databaseName = props.databaseName ?? 'docflow';
    const masterUsername = props.masterUsername ?? 'docflow';
    const masterPasswordRotationDays = props.masterPasswordRotationDays ?? 7;
    const secretRecoveryWindowDays = props.secretRecoveryWindowDays ?? 30;

    if (engineMajorVersion < 16) throw new Error(`Database: engineMajorVersion must be 16 or newer, got ${engineMajorVersion}`);
    if (props.subnets.length < 2) throw new Error(`Database: needs subnets in at least two AZs, got ${props.subnets.length}`);
    if (props.clients.length === 0) throw new Error('Database: clients is empty, so nothing could connect');
    if (maxAllocatedStorageGiB < allocatedStorageGiB) {
      throw new Error('Database: maxAllocatedStorageGiB must be at least allocatedStorageGiB');
    }
    this.databaseName = databaseName;
    this.allocatedStorageGiB = allocatedStorageGiB;
    const identifier = `${props.namePrefix}-postgres`;

    this.securityGroup = emptySecurityGroup(this, 'SecurityGroup', {
      name: identifier,
      description: 'PostgreSQL: 5432 from the docflow services only',
      vpcId: props.vpc.id,
    });
    props.clients.forEach((client, index) => {
      allowIngress(this, `ClientIngress${index + 1}`, this.securityGroup, {
        peer: { securityGroup: client },
        port: POSTGRES_PORT,
        description: 'PostgreSQL from a docflow service',
      });
      allowEgress(this, `ClientEgress${index + 1}`, client, {
        peer: { securityGroup: this.securityGroup },
        port: POSTGRES_PORT,
        description: 'PostgreSQL to the docflow database',
      });
    });

    const subnetGroup = new DbSubnetGroup(this, 'SubnetGroup', {
      name: identifier,
      description: 'Isolated database subnets',
      subnetIds: props.subnets.map((subnet) => subnet.id),
    });
    this.parameterGroup = new DbParameterGroup(this, 'ParameterGroup', {
      // a prefix, not a name: with create-before-destroy a replacement needs a free name
      namePrefix: `${identifier}${engineMajorVersion}-`,
      family: `postgres${engineMajorVersion}`,
      description: 'docflow: TLS only, slow statements logged',
      parameter: [
        { name: 'rds.force_ssl', value: '1' },
        { name: 'log_min_duration_statement', value: '1000' },
      ],
      lifecycle: { createBeforeDestroy: true },
    });

    // RDS would create these on first export with no retention; creating them first sets one
    const exportedLogGroups = enhancedMonitoring
      ? DATABASE_LOG_EXPORTS.map((log) =>
          logGroupWithRetention(this, `${pascalCase(log)}Logs`, {
            name: `/aws/rds/instance/${identifier}/${log}`,
            retentionDays: logRetentionDays,
            kmsKeyArn: props.keys?.logsKeyArn,
          }),
        )
      : [];

    this.instance = new DbInstance(this, 'Instance', {
      identifier,
      engine: 'postgres',
      engineVersion: String(engineMajorVersion),
      instanceClass,
      dbName: databaseName,
      username: masterUsername,
      manageMasterUserPassword: true,
      ...(props.keys ? { masterUserSecretKmsKeyId: props.keys.dataKeyArn } : {}),
      port: POSTGRES_PORT,
      storageType: 'gp3',
      allocatedStorage: allocatedStorageGiB,
      maxAllocatedStorage: maxAllocatedStorageGiB,
      storageEncrypted: true,
      publiclyAccessible: false,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      parameterGroupName: this.parameterGroup.name,
      multiAz,
      backupRetentionPeriod: backupRetentionDays,
      backupWindow: '02:00-03:00',
      maintenanceWindow: 'sun:03:30-sun:04:30',
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      caCertIdentifier: 'rds-ca-rsa2048-g1',
      deletionProtection,
      skipFinalSnapshot: !finalSnapshot,
      deleteAutomatedBackups: !keepAutomatedBackups,
      ...(finalSnapshot ? { finalSnapshotIdentifier: `${identifier}-final` } : {}),
      ...(enhancedMonitoring
        ? {
            enabledCloudwatchLogsExports: [...DATABASE_LOG_EXPORTS],
            performanceInsightsEnabled: true,
            performanceInsightsRetentionPeriod: 7,
          }
        : {}),
      // production changes wait for the maintenance window
      applyImmediately: !deletionProtection,
      ...(exportedLogGroups.length > 0 ? { dependsOn: exportedLogGroups } : {}),
    });
    this.masterUserSecretArn = this.instance.masterUserSecret.get(0).secretArn;
    this.masterUsername = masterUsername;
    // RDS rotates its secret every 7 days unless told otherwise: the schedule is the table's
    new SecretsmanagerSecretRotation(this, 'MasterPasswordRotation', {
      secretId: this.masterUserSecretArn,
      rotationRules: { automaticallyAfterDays: masterPasswordRotationDays },
    });
    const loginSecret = (role: DatabaseLoginRole) =>
      new SecretsmanagerSecret(this, `${pascalCase(role)}LoginSecret`, {
        name: `${props.namePrefix}/db/${role}`,
        description: `docflow ${role} database login (${DATABASE_LOGIN_ROLES[role]}): written and rotated by the db-admin task, read by the ${role} when it connects`,
        recoveryWindowInDays: secretRecoveryWindowDays,
        ...(props.keys ? { kmsKeyId: props.keys.dataKeyArn } : {}),
      });
    this.loginSecrets = { api: loginSecret('api'), worker: loginSecret('worker') };
    if (props.keys) this.secretsKmsKeyArn = props.keys.dataKeyArn;
  }
}

/** How an app connects: plain DB_* variables (no credential among them) and what its task role needs. */
export interface DatabaseConnection {
  readonly environment: Readonly<Record<string, string>>;
  /** Reading the login secret when a connection opens (and decrypting it with its key). */
  readonly taskStatements: readonly PolicyStatement[];
}

const decrypt = (database: Database, actions: readonly string[]) => (database.secretsKmsKeyArn !== undefined ? [allow(actions, [database.secretsKmsKeyArn])] : []);

function endpoint(database: Database): Record<string, string> {
  return {
    DB_HOST: database.instance.address,
    DB_PORT: String(database.port),
    DB_NAME: database.databaseName,
    // rds.force_ssl refuses plaintext; verify-full checks the chain against RDS's CAs and the host name
    DB_SSL: 'verify-full',
    DB_SSL_CA_FILE: RDS_CA_BUNDLE_PATH,
  };
}

/**
 * A service's connection as its own role: the password is fetched from the role's secret when a
 * connection opens and again after a refusal (DB_LOGIN_ARN), so a rotation needs no redeploy;
 * connections are recycled within 15 minutes; migrations are the db-admin task's, not the service's.
 */
export function databaseConnection(database: Database, role: DatabaseLoginRole): DatabaseConnection {
  const secret = database.loginSecrets[role];
  return {
    environment: {
      ...endpoint(database),
      DB_USER: DATABASE_LOGIN_ROLES[role],
      DB_LOGIN_ARN: secret.arn,
      DB_MIGRATE: 'false',
      DB_POOL_MAX_LIFETIME_SECONDS: String(CONNECTION_LIFETIME_SECONDS),
    },
    taskStatements: [allow(['secretsmanager:GetSecretValue'], [secret.arn]), ...decrypt(database, ['kms:Decrypt'])],
  };
}

/**
 * The database administration task's connection, the only one as the master user: the master's
 * RDS-managed secret to log in, and the login secrets it writes (a pending version, then current).
 */
export function databaseAdminConnection(database: Database): DatabaseConnection {
  const logins = Object.values(database.loginSecrets).map((secret) => secret.arn);
  return {
    environment: {
      ...endpoint(database),
      DB_USER: database.masterUsername,
      DB_LOGIN_ARN: database.masterUserSecretArn,
      DB_API_LOGIN_ARN: database.loginSecrets.api.arn,
      DB_WORKER_LOGIN_ARN: database.loginSecrets.worker.arn,
    },
    taskStatements: [
      allow(['secretsmanager:GetSecretValue'], [database.masterUserSecretArn]),
      allow(['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'], logins),
      ...decrypt(database, ['kms:Decrypt', 'kms:GenerateDataKey']),
    ],
  };
}
