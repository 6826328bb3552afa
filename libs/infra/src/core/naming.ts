import type { EnvironmentConfig } from '../environments/types.js';

/** Prefix of every AWS resource name and tag value. */
export const PROJECT = 'docflow';

/** The tags every resource carries (through the provider's default_tags). */
export interface DocflowTags {
  readonly project: string;
  readonly env: string;
  readonly stack: string;
  /** `lean` or `standard`: waivers and cost estimates that hold for a whole profile read it. */
  readonly profile: string;
  readonly [key: string]: string;
}

export function tagsFor(env: Pick<EnvironmentConfig, 'name' | 'profile'>, stackName: string): DocflowTags {
  return { project: PROJECT, env: env.name, stack: stackName, profile: env.profile };
}

/** `<env>-<stack>`: stable, also the Terraform state key and the cdktf.out folder. */
export function stackIdFor(envName: string, stackName: string): string {
  return `${envName}-${stackName}`;
}

/** `docflow-<env>-<parts...>`: the one naming scheme for AWS resource names. */
export function resourceName(env: Pick<EnvironmentConfig, 'name'>, ...parts: string[]): string {
  return [PROJECT, env.name, ...parts].join('-');
}

/** `vpc-flow-logs` -> `VpcFlowLogs`: construct ids from names. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
