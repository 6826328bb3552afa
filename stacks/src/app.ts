import type { App } from 'cdktf';
import type { EnvironmentConfig } from '@docflow/infra';
import { ApiStack } from '@docflow/stack-api';
import { DataStack } from '@docflow/stack-data';
import { FoundationStack } from '@docflow/stack-foundation';
import { IngestStack } from '@docflow/stack-ingest';
import { NetworkStack } from '@docflow/stack-network';
import { ObservabilityStack } from '@docflow/stack-observability';
import { PlatformStack } from '@docflow/stack-platform';
import { WorkerStack } from '@docflow/stack-worker';
import type { SynthSettings } from './settings.js';

/** The stack names every environment has, in deployment order. */
export const STACK_NAMES = ['foundation', 'network', 'data', 'platform', 'api', 'ingest', 'worker', 'observability'] as const;

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
  const worker = new WorkerStack(app, { ...base, network, data, platform });
  const observability = new ObservabilityStack(app, { ...base, data, platform, api, ingest, worker });
  return { foundation, network, data, platform, api, ingest, worker, observability };
}

/** Every stack of every environment in the settings. */
export function defineDocflow(app: App, settings: SynthSettings): Record<string, EnvironmentStacks> {
  return Object.fromEntries(settings.environments.map((env) => [env.name, defineEnvironment(app, env, settings)]));
}
