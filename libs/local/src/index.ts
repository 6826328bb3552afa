export { LocalEnvironmentError } from './errors.js';
export { findFreePort } from './ports.js';
export { startPostgres, type PostgresOptions, type RunningPostgres } from './postgres.js';
export { startEmulator, type EmulatorOptions, type RunningEmulator } from './emulator.js';
export type { SnapshotCounts } from './emulator-snapshot.js';
export { waitUntilReady, type WaitUntilReadyOptions } from './ready.js';
