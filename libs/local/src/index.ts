export { LocalEnvironmentError } from './errors.js';
export { findFreePort } from './ports.js';
export { startPostgres, type PostgresOptions, type RunningPostgres } from './postgres.js';
export { startEmulator, type EmulatorOptions, type RunningEmulator } from './emulator.js';
export type { SnapshotCounts } from './emulator-snapshot.js';
export { waitUntilReady, type WaitUntilReadyOptions } from './ready.js';
export { LocalPipe, type LocalPipeOptions, type StoppedTask } from './pipes/local-pipe.js';
export { handBackStoppedTask, type TaskStoppedOutcome, type TaskStoppedRuleOptions } from './pipes/task-stopped.js';
