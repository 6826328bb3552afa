/**
 * Where the local environment (`npm start`, `nx serve`) listens. The apps fall back to these in
 * local mode, so an app started by hand finds a running local environment without any variable.
 */
export const LOCAL_DEFAULTS = {
  apiPort: 3000,
  ingestPort: 3001,
  postgresPort: 54329,
  emulatorPort: 4566,
  region: 'us-east-1',
  accountId: '000000000000',
  databaseName: 'docflow',
  databaseUser: 'docflow',
  databasePassword: 'docflow-local',
  queueName: 'docflow-documents',
  deadLetterQueueName: 'docflow-documents-dlq',
  bucket: 'docflow-documents',
  apiKey: 'local-dev-key',
} as const;

export function localDatabaseUrl(port: number = LOCAL_DEFAULTS.postgresPort): string {
  const { databaseUser, databasePassword, databaseName } = LOCAL_DEFAULTS;
  return `postgres://${databaseUser}:${databasePassword}@127.0.0.1:${port}/${databaseName}`;
}

export function localEmulatorEndpoint(port: number = LOCAL_DEFAULTS.emulatorPort): string {
  return `http://127.0.0.1:${port}`;
}

/** fauxqs names queues the way SQS does: http://sqs.<region>.localhost:<port>/<account>/<name>. */
export function localQueueUrl(name: string, port: number = LOCAL_DEFAULTS.emulatorPort): string {
  return `http://sqs.${LOCAL_DEFAULTS.region}.localhost:${port}/${LOCAL_DEFAULTS.accountId}/${name}`;
}
