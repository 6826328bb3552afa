export { startTestPostgres, type TestPostgres, type TestPostgresOptions } from './test-postgres.js';
export {
  startTestEmulator,
  type QueuedMessage,
  type QueueRole,
  type TestEmulator,
  type TestEmulatorOptions,
} from './test-emulator.js';
export { startSilentServer, type SilentServer } from './silent-server.js';
export { seededRandom } from './random.js';
