import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadDatabaseAdminConfig, loadOrExit } from '@docflow/config';
import { createPool, rotateCredentials, SecretsManagerCredentialStore, setupDatabase } from '@docflow/db';
import { createLogger } from '@docflow/observability';

/**
 * The database administration task, in the api's image (`node db-admin.js <command>`), run as the
 * master user from ECS:
 * - `setup`: what every deploy runs before the services change: the roles, the migrations as the
 *   owner, the services' grants, and a first password for a role that has none;
 * - `rotate`: what the schedule runs: a new password for the api and worker roles.
 * Exits 0 when done, 1 on an error (the deploy or the schedule's task then shows it).
 */
const COMMANDS = ['setup', 'rotate'] as const;

async function main(): Promise<number> {
  const command = process.argv[2];
  if (!(COMMANDS as readonly (string | undefined)[]).includes(command)) {
    process.stderr.write(`usage: db-admin <${COMMANDS.join('|')}>  (e.g. node db-admin.js setup)\n`);
    return 2;
  }
  const config = loadOrExit(() => loadDatabaseAdminConfig());
  const logger = createLogger({ service: 'db-admin', level: config.logLevel });
  const master = createPool({ ...config.database, poolMax: 1 }, { logger, applicationName: 'docflow-db-admin' });
  const client = new SecretsManagerClient({
    region: config.secretsManager.region,
    ...(config.secretsManager.endpoint ? { endpoint: config.secretsManager.endpoint } : {}),
    ...(config.secretsManager.credentials ? { credentials: config.secretsManager.credentials } : {}),
  });
  const store = new SecretsManagerCredentialStore(client, config.roleSecrets);
  try {
    if (command === 'setup') {
      const result = await setupDatabase(master, store, logger);
      logger.info({ applied: result.applied, initialized: result.initialized }, 'database set up: roles, migrations as the owner, grants');
    } else {
      const rotated = await rotateCredentials(master, store);
      logger.info({ rotated }, 'database passwords rotated');
    }
    return 0;
  } catch (error) {
    logger.fatal({ err: error }, `db-admin ${command} failed`);
    return 1;
  } finally {
    client.destroy();
    await master.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`db-admin failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
