import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_DEFAULTS } from '@docflow/config';
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
