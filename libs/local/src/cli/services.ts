import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_DEFAULTS } from '@docflow/config';
import { isPortFree } from '../ports.js';
import { describeUser, type EnvironmentUser } from './users.js';
import { portFrom } from './workspace.js';

export const SERVICE_NAMES = ['ingest', 'worker', 'api'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface Service {
  readonly name: ServiceName;
  /** The esbuild bundle the service runs from, as in its container. */
  readonly bundle: string;
  /** HTTP port, for services that answer HTTP. */
  readonly port?: number;
  readonly args: readonly string[];
}

/** The services `npm start` runs, in start order: intake first, the api last. */
/** The variable that moves each service's port. */
const PORT_VARIABLES: Partial<Record<ServiceName, string>> = { api: 'DOCFLOW_API_PORT', ingest: 'DOCFLOW_INGEST_PORT' };

export function servicesOf(root: string, env: NodeJS.ProcessEnv = process.env): Service[] {
  const apiPort = portFrom(env, 'DOCFLOW_API_PORT', LOCAL_DEFAULTS.apiPort);
  const ingestPort = portFrom(env, 'DOCFLOW_INGEST_PORT', LOCAL_DEFAULTS.ingestPort);
  return [
    { name: 'ingest', bundle: bundleOf(root, 'ingest'), port: ingestPort, args: [] },
    { name: 'worker', bundle: bundleOf(root, 'worker'), args: ['--mode', 'poll'] },
    { name: 'api', bundle: bundleOf(root, 'api'), port: apiPort, args: [] },
  ];
}

function bundleOf(root: string, name: ServiceName): string {
  return join(root, 'apps', name, 'dist', 'main.js');
}

/** Accepts `api` and `@docflow/api` alike (Nx passes the project name). */
export function parseServiceName(value: string): ServiceName {
  const name = value.replace(/^@docflow\//, '');
  if (!(SERVICE_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown service "${value}": expected one of ${SERVICE_NAMES.join(', ')}`);
  }
  return name as ServiceName;
}

export function assertBuilt(service: Service): void {
  if (!existsSync(service.bundle)) {
    throw new Error(`${service.bundle} does not exist: build it first with \`npx nx build ${service.name}\``);
  }
}

/**
 * Refuses, before anything starts, to run a service whose port is taken, naming the docflow
 * process that serves it (a second `npm start` in the same checkout) or saying it is another
 * program, and the variable that picks another port.
 */
export async function assertPortsFree(services: readonly Service[], users: readonly EnvironmentUser[], dataDir: string): Promise<void> {
  for (const service of services) {
    if (service.port === undefined || (await isPortFree(service.port))) continue;
    const url = `http://127.0.0.1:${service.port}`;
    const owner = users.find((user) => user.services.some((running) => running.url === url));
    const who = owner !== undefined ? `docflow already serves it: ${describeUser(owner)}, data in ${dataDir}` : 'another program listens there';
    throw new Error(
      `${service.name} cannot start: port ${service.port} is in use (${who}). ` +
        `Use that one, stop it, or pick another port with ${PORT_VARIABLES[service.name] ?? 'its port variable'}=<port>.`,
    );
  }
}
