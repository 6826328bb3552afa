import type { Construct } from 'constructs';
import { ENVIRONMENTS } from '../environments/table.js';
import type { EnvironmentConfig } from '../environments/types.js';
import { findEnvironment } from '../environments/validate.js';
import { Network, type NetworkProps } from '../network/network.js';
import { WorkloadSecurityGroups } from '../network/workload-security-groups.js';
import { Platform, type PlatformProps } from '../platform/platform.js';

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

/** The domain test platforms answer on (a zone id that looks like Route 53's). */
export const TEST_DOMAIN = { name: 'docflow.acme-test.dev', zoneId: 'Z0123456789TESTZONE' } as const;

/**
 * A Platform as the platform stack builds one for the profile: the standard profile with the test
 * domain and a WAF rate limit, lean without a domain.
 */
export function testPlatform(scope: Construct, network: Network, profile: 'lean' | 'standard', props: Partial<PlatformProps> = {}): Platform {
  return new Platform(scope, 'Platform', {
    namePrefix: 'docflow-test',
    profile,
    region: 'eu-west-1',
    network,
    logRetentionDays: 30,
    ...(profile === 'standard' ? { domain: TEST_DOMAIN, firewall: { requestsPerIpPer5Minutes: 2000 } } : {}),
    ...props,
  });
}
