import type { Construct } from 'constructs';
import { ENVIRONMENTS } from '../environments/table.js';
import type { EnvironmentConfig } from '../environments/types.js';
import { findEnvironment } from '../environments/validate.js';
import { Network, type NetworkProps } from '../network/network.js';
import { WorkloadSecurityGroups } from '../network/workload-security-groups.js';

/** The table's entries by name (dev is lean, staging and prod standard). */
export function environment(name: 'dev' | 'staging' | 'prod'): EnvironmentConfig {
  return findEnvironment(ENVIRONMENTS, name);
}

/** A copy of an environment entry with some fields changed, for tests of the validation. */
export function environmentWith(name: 'dev' | 'staging' | 'prod', changes: Partial<EnvironmentConfig>): EnvironmentConfig {
  return { ...environment(name), ...changes };
}

/** A network and the three workload security groups, as the network stack builds them. */
export function testNetwork(scope: Construct, props: Partial<NetworkProps> = {}) {
  const network = new Network(scope, 'Network', { namePrefix: 'docflow-test', region: 'eu-west-1', ...props });
  const securityGroups = new WorkloadSecurityGroups(scope, 'WorkloadSecurityGroups', {
    namePrefix: 'docflow-test',
    vpc: network.vpc,
    workloads: ['api', 'ingest', 'worker'],
    egress: { kind: 'https-anywhere' },
  });
  return { network, securityGroups };
}
