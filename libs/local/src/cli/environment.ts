import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCAL_DEFAULTS, localEmulatorEndpoint } from '@docflow/config';
import { startEmulator } from '../emulator.js';
import { startPostgres } from '../postgres.js';
import { isAlive } from './users.js';

/** What the apps need to reach a running local environment. */
export interface EnvironmentEndpoints {
  readonly databaseUrl: string;
  readonly emulatorEndpoint: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly bucket: string;
}

export interface LocalEnvironment extends EnvironmentEndpoints {
  /** True when this process started the environment (and so must stop it). */
  readonly owned: boolean;
  /** The process that owns it (this one when `owned`). */
  readonly ownerPid: number;
  /** Stops what this process started; a no-op for an environment another process owns. */
  stop(): Promise<void>;
}

interface StateFile extends EnvironmentEndpoints {
  readonly pid: number;
  readonly startedAt: string;
}

const STATE_FILE = 'environment.json';

/**
 * The local environment for `npm start` and `nx serve`: the one another docflow process already
 * runs (found through `<dataDir>/environment.json`), or a new one this process owns. So two
 * terminals can each serve one app against the same database and queue.
 */
export interface EnvironmentPorts {
  /** @default LOCAL_DEFAULTS.postgresPort */
  readonly postgres?: number;
  /** @default LOCAL_DEFAULTS.emulatorPort */
  readonly emulator?: number;
}

export async function ensureEnvironment(
  dataDir: string,
  log: (line: string) => void,
  ports: EnvironmentPorts = {},
): Promise<LocalEnvironment> {
  const running = await findRunning(dataDir);
  if (running !== undefined) {
    log(`using the local environment of process ${running.pid} (started ${running.startedAt})`);
    return { ...withoutOwner(running), owned: false, ownerPid: running.pid, stop: async () => undefined };
  }

  await mkdir(dataDir, { recursive: true });
  log('starting PostgreSQL and the SQS/S3 emulator');
  const postgres = await startPostgres({
    dataDir: join(dataDir, 'postgres'),
    port: ports.postgres ?? LOCAL_DEFAULTS.postgresPort,
  });
  for (const warning of postgres.warnings) log(`warning: ${warning}`);
  let emulator;
  try {
    emulator = await startEmulator({
      port: ports.emulator ?? LOCAL_DEFAULTS.emulatorPort,
      snapshotDir: join(dataDir, 'emulator'),
      onLog: log,
    });
  } catch (error) {
    await postgres.stop();
    throw error;
  }
  const endpoints: EnvironmentEndpoints = {
    databaseUrl: postgres.url,
    emulatorEndpoint: emulator.endpoint,
    queueUrl: emulator.queueUrl,
    deadLetterQueueUrl: emulator.deadLetterQueueUrl,
    bucket: emulator.bucket,
  };
  const state: StateFile = { ...endpoints, pid: process.pid, startedAt: new Date().toISOString() };
  await writeFile(join(dataDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    // the emulator writes its snapshot on stop; PostgreSQL keeps its files
    const results = await Promise.allSettled([emulator.stop(), postgres.stop()]);
    await rm(join(dataDir, STATE_FILE), { force: true });
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
  };
  return { ...endpoints, owned: true, ownerPid: process.pid, stop: () => (stopping ??= stop()) };
}

/** The running environment's owner, or undefined when none runs (a stale state file is removed). */
export async function findRunning(dataDir: string): Promise<StateFile | undefined> {
  const file = join(dataDir, STATE_FILE);
  let state: StateFile;
  try {
    state = JSON.parse(await readFile(file, 'utf8')) as StateFile;
  } catch {
    return undefined;
  }
  if (isAlive(state.pid) && (await emulatorAnswers(state.emulatorEndpoint))) return state;
  await rm(file, { force: true });
  return undefined;
}

async function emulatorAnswers(endpoint: string = localEmulatorEndpoint()): Promise<boolean> {
  try {
    const response = await fetch(new URL('/health', endpoint), { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}

function withoutOwner(state: StateFile): EnvironmentEndpoints {
  const { pid: _pid, startedAt: _startedAt, ...endpoints } = state;
  return endpoints;
}
