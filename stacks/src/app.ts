import type { App } from 'cdktf';
import type { EnvironmentConfig } from '@docflow/infra';
import { ApiStack } from '@docflow/stack-api';
import { DataStack } from '@docflow/stack-data';
import { FoundationStack } from '@docflow/stack-foundation';
import { IngestStack } from '@docflow/stack-ingest';
import { NetworkStack } from '@docflow/stack-network';
import { GcpArchiveStack } from '@docflow/stack-gcp-archive';
import { GcpDnsStack } from '@docflow/stack-gcp-dns';
import { GcpExportStack } from '@docflow/stack-gcp-export';
import { GcpFoundationStack } from '@docflow/stack-gcp-foundation';
import { GcpRegistryStack } from '@docflow/stack-gcp-registry';
import { ObservabilityStack } from '@docflow/stack-observability';
import { PlatformStack } from '@docflow/stack-platform';
import { WorkerStack } from '@docflow/stack-worker';
import type { SynthSettings } from './settings.js';

/** The stack names every environment has, in deployment order. */
export const STACK_NAMES = ['foundation', 'network', 'data', 'platform', 'api', 'ingest', 'worker', 'observability'] as const;

/** The GCP stack names of an environment with a `gcp` section, in deployment order. */
export const GCP_STACK_NAMES = ['gcp-foundation', 'gcp-registry', 'gcp-archive', 'gcp-dns', 'gcp-export'] as const;

/** The GCP stacks of one environment (the off-site archive). */
export interface GcpStacks {
  readonly foundation: GcpFoundationStack;
  readonly registry: GcpRegistryStack;
  readonly archive: GcpArchiveStack;
  readonly dns: GcpDnsStack;
  readonly export: GcpExportStack;
}

/** The stacks of one environment. */
export interface EnvironmentStacks {
  readonly foundation: FoundationStack;
  readonly network: NetworkStack;
  readonly data: DataStack;
  readonly platform: PlatformStack;
  readonly api: ApiStack;
  readonly ingest: IngestStack;
  readonly worker: WorkerStack;
  readonly observability: ObservabilityStack;
  /** Only for an environment with a `gcp` section. */
  readonly gcp?: GcpStacks;
}

/**
 * The GCP stacks of an environment: they share nothing with the AWS stacks but the environment
 * table (the export job reaches the api by its public URL), so neither cloud's stacks read the
 * other's state, and each deploys with its own credentials.
 */
export function defineGcpStacks(app: App, env: EnvironmentConfig, settings: SynthSettings): GcpStacks {
  const stateBackend = settings.gcpStateBackends[env.name];
  const base = { env, ...(stateBackend ? { stateBackend } : {}) };
  const foundation = new GcpFoundationStack(app, {
    ...base,
    ...(settings.githubRepository !== undefined ? { githubRepository: settings.githubRepository } : {}),
    ...(settings.githubRepositoryId !== undefined ? { githubRepositoryId: settings.githubRepositoryId } : {}),
  });
  const registry = new GcpRegistryStack(app, { ...base, foundation });
  const archive = new GcpArchiveStack(app, { ...base, foundation });
  const dns = new GcpDnsStack(app, { ...base, foundation });
  const exportStack = new GcpExportStack(app, { ...base, foundation, registry, archive });
  return { foundation, registry, archive, dns, export: exportStack };
}

/**
 * Every stack of one environment. Each stack gets its upstream stacks as props: the import is the
 * Nx dependency, and the references become cdktf cross-stack outputs and remote-state reads. The
 * foundation comes first and every other stack depends on it.
 */
export function defineEnvironment(app: App, env: EnvironmentConfig, settings: SynthSettings): EnvironmentStacks {
  const stateBackend = settings.stateBackends[env.name];
  const oidcProviderArn = settings.oidcProviderArns[env.name];
  const foundation = new FoundationStack(app, {
    env,
    ...(stateBackend ? { stateBackend } : {}),
    ...(settings.githubRepository !== undefined ? { githubRepository: settings.githubRepository } : {}),
    ...(oidcProviderArn !== undefined ? { existingOidcProviderArn: oidcProviderArn } : {}),
  });
  const base = { env, foundation, ...(stateBackend ? { stateBackend } : {}) };
  const network = new NetworkStack(app, base);
  const data = new DataStack(app, { ...base, network });
  const platform = new PlatformStack(app, { ...base, network });
  const api = new ApiStack(app, { ...base, network, data, platform });
  const ingest = new IngestStack(app, { ...base, network, data, platform });
  const worker = new WorkerStack(app, { ...base, network, data, platform, api });
  const observability = new ObservabilityStack(app, { ...base, data, platform, api, ingest, worker });
  const gcp = env.gcp !== undefined ? defineGcpStacks(app, env, settings) : undefined;
  return { foundation, network, data, platform, api, ingest, worker, observability, ...(gcp ? { gcp } : {}) };
}

/** Every stack of every environment in the settings. */
export function defineDocflow(app: App, settings: SynthSettings): Record<string, EnvironmentStacks> {
  return Object.fromEntries(settings.environments.map((env) => [env.name, defineEnvironment(app, env, settings)]));
}
