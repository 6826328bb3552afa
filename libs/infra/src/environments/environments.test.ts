import { describe, expect, it } from 'vitest';
import { environment, environmentWith } from '../testing/index.js';
import { ENVIRONMENTS } from './table.js';
import type { EnvironmentConfig } from './types.js';
import { defineEnvironments, EnvironmentConfigError, environmentProblems, fargateSizeProblem, findEnvironment, visibilityTimeoutFor } from './validate.js';

describe('the environment table', () => {
  it('has dev lean and staging, prod standard, each consistent', () => {
    expect(ENVIRONMENTS.map((env) => [env.name, env.profile])).toEqual([
      ['dev', 'lean'],
      ['staging', 'standard'],
      ['prod', 'standard'],
    ]);
    for (const env of ENVIRONMENTS) expect(environmentProblems(env)).toEqual([]);
  });

  it('sizes the databases as the issue says: dev micro 20 GB 1 day, staging small 50 GB 7 days, prod medium 100 GB 30 days multi-AZ', () => {
    const db = Object.fromEntries(ENVIRONMENTS.map((env) => [env.name, env.database]));
    expect(db['dev']).toMatchObject({ instanceClass: 'db.t4g.micro', allocatedStorageGiB: 20, backupRetentionDays: 1, multiAz: false });
    expect(db['staging']).toMatchObject({ instanceClass: 'db.t3.small', allocatedStorageGiB: 50, backupRetentionDays: 7 });
    expect(db['prod']).toMatchObject({ instanceClass: 'db.t3.medium', allocatedStorageGiB: 100, backupRetentionDays: 30, multiAz: true, deletionProtection: true });
  });

  it('runs the lean worker in pipe mode and the standard ones in poll mode', () => {
    expect(ENVIRONMENTS.map((env) => env.worker.mode)).toEqual(['pipe', 'poll', 'poll']);
  });

  it('finds an entry by name, or names the known ones', () => {
    expect(findEnvironment(ENVIRONMENTS, 'prod').natMode).toBe('gateway-per-az');
    expect(() => findEnvironment(ENVIRONMENTS, 'qa')).toThrow('Unknown environment "qa" (known: dev, staging, prod)');
  });
});

describe('defineEnvironments (validation)', () => {
  it('GIVEN a lean entry with a NAT gateway THEN it names the conflict', () => {
    const entry = environmentWith('dev', { natMode: 'single-gateway' });
    expect(() => defineEnvironments([entry])).toThrow(
      'Invalid environment table:\n  - environment "dev": natMode: the lean profile has no private subnets, so natMode must be "none" (got "single-gateway")',
    );
  });

  it('GIVEN a backup copied to its own region, or kept no days THEN it names the field', () => {
    expect(environmentProblems(environmentWith('prod', { backup: { dailyRetentionDays: 0, hourlyRetentionDays: 1.5, copyRegion: 'eu-west-1' } }))).toEqual([
      'backup.dailyRetentionDays: must be a whole number of days, 1 to 36500, got 0',
      'backup.hourlyRetentionDays: must be a whole number of days, 1 to 36500, got 1.5',
      "backup.copyRegion: must be another region than the environment's (eu-west-1), or a copy survives nothing",
    ]);
    expect(environmentProblems(environmentWith('prod', { backup: { dailyRetentionDays: 7, copyRegion: 'Frankfurt' } }))).toEqual(['backup.copyRegion: "Frankfurt" is not an AWS region name']);
    expect(environmentProblems(environmentWith('prod', {}))).toEqual([]);
  });

  it('GIVEN documents replicated without a copy region THEN it says which field is missing', () => {
    expect(environmentProblems(environmentWith('prod', { backup: { dailyRetentionDays: 7, replicateDocuments: true } }))).toEqual([
      'backup.replicateDocuments: needs backup.copyRegion (the region the documents are replicated to)',
    ]);
    expect(environmentProblems(environmentWith('prod', { backup: { dailyRetentionDays: 7, copyRegion: 'eu-central-1', replicateDocuments: true } }))).toEqual([]);
  });

  it('GIVEN one AZ THEN it explains that RDS needs two', () => {
    expect(environmentProblems(environmentWith('prod', { azCount: 1 }))).toEqual([
      'azCount: must be 2, 3 or 4 (an RDS subnet group needs two AZs), got 1',
    ]);
  });

  it('GIVEN several problems THEN it reports all of them at once', () => {
    const entry = environmentWith('staging', {
      vpcCidr: '10.0.0.0/8',
      logRetentionDays: 10,
      alarmEmail: 'nobody',
      api: { cpu: 256, memoryMiB: 4096, desiredCount: 2, maxCount: 1 },
    });
    const error = (() => {
      try {
        defineEnvironments([entry]);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(EnvironmentConfigError);
    expect((error as EnvironmentConfigError).problems).toEqual([
      'environment "staging": vpcCidr: "10.0.0.0/8" must be an IPv4 network with a prefix from /16 to /20',
      'environment "staging": api: memoryMiB 4096 does not fit cpu 256 (Fargate allows 512 to 2048 MiB)',
      'environment "staging": api.maxCount: must be at least desiredCount',
      'environment "staging": alarmEmail: "nobody" is not an email address',
      'environment "staging": logRetentionDays: 10 is not a CloudWatch retention (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)',
    ]);
  });

  it('GIVEN two entries with one name THEN it refuses the duplicate', () => {
    expect(() => defineEnvironments([environmentWith('dev', {}), environmentWith('dev', {})])).toThrow(
      'environment "dev": defined more than once',
    );
  });

  it('GIVEN a worker timeout whose 6x exceeds the SQS maximum THEN it names the limit', () => {
    const entry = environmentWith('prod', { worker: { ...environmentWith('prod', {}).worker, processingTimeoutSeconds: 7201 } });
    expect(environmentProblems(entry)).toEqual([
      "worker.processingTimeoutSeconds: must be 1 to 7200 (the queue's visibility timeout is 6x it, at most 43200 s)",
    ]);
  });

  it('GIVEN a standard environment without a domain or a firewall THEN it names the environment and each field', () => {
    const { domain: _domain, firewall: _firewall, ...withoutEdge } = environment('staging');
    expect(() => defineEnvironments([withoutEdge])).toThrow(
      'Invalid environment table:\n' +
        '  - environment "staging": domain: is required in the standard profile (its load balancer serves HTTPS only): set domain.name and domain.hostedZone\n' +
        '  - environment "staging": firewall: is required in the standard profile (WAF protects its load balancer): set firewall.requestsPerIpPer5Minutes',
    );
  });

  it('GIVEN a malformed domain, zone or rate limit THEN it names the field and the value', () => {
    expect(
      environmentProblems(
        environmentWith('prod', {
          domain: { name: '*.Docflow.com', hostedZone: { hostedZoneId: 'zone-1' } },
          firewall: { requestsPerIpPer5Minutes: 5 },
        }),
      ),
    ).toEqual([
      'domain.name: "*.Docflow.com" is not a lower-case DNS host name (no wildcard, no trailing dot)',
      'domain.hostedZone.hostedZoneId: "zone-1" is not a Route 53 hosted zone id (Z followed by letters and digits)',
      "firewall.requestsPerIpPer5Minutes: must be a whole number, at least 10 (WAF's lowest rate limit), got 5",
    ]);
    const both = { hostedZoneId: 'Z123', createZone: true } as unknown as { createZone: true };
    expect(environmentProblems(environmentWith('prod', { domain: { name: 'docflow.acme.com', hostedZone: both } }))).toEqual([
      'domain.hostedZone: set exactly one of hostedZoneId (an existing Route 53 zone) and createZone: true',
    ]);
  });

  it('GIVEN lean THEN a domain is optional and a firewall is refused (no load balancer)', () => {
    expect(environmentProblems(environmentWith('dev', { domain: { name: 'dev.docflow.acme.com', hostedZone: { hostedZoneId: 'Z0ABC' } } }))).toEqual([]);
    expect(environmentProblems(environmentWith('dev', { firewall: { requestsPerIpPer5Minutes: 100 } }))).toEqual([
      'firewall: the lean profile has no load balancer to protect (API Gateway HTTP APIs cannot take a WAF web ACL); remove it',
    ]);
  });

  it('GIVEN rotation periods or a trail retention out of range THEN it names them', () => {
    const prod = environment('prod');
    expect(
      environmentProblems(
        environmentWith('prod', {
          database: { ...prod.database, credentialRotationDays: 0, masterPasswordRotationDays: 1001 },
          audit: { ...prod.audit, trailRetentionDays: 0.5 },
        }),
      ),
    ).toEqual([
      'database.credentialRotationDays: must be 1 to 1000 days, got 0',
      'database.masterPasswordRotationDays: must be 1 to 1000 days, got 1001',
      'audit.trailRetentionDays: must be a whole number of days, at least 1, got 0.5',
    ]);
  });

  it('GIVEN activateCostAllocationTag that is not a boolean THEN it is refused, naming the value', () => {
    const env = environmentWith('prod', { activateCostAllocationTag: 'yes' as unknown as boolean });
    expect(environmentProblems(env)).toContain('activateCostAllocationTag: must be true or false, got "yes"');
  });

  it('GIVEN two environments in one account that both turn on CloudTrail, GuardDuty and Access Analyzer THEN the second is refused', () => {
    const staging = environmentWith('staging', { accountId: '123456789012' });
    const prod = environmentWith('prod', { accountId: '123456789012' });
    expect(() => defineEnvironments([staging, prod])).toThrow(
      'Invalid environment table:\n' +
        '  - environment "prod": audit.cloudTrail: account 123456789012 already has it from environment "staging" (one per account); turn it off here\n' +
        '  - environment "prod": audit.guardDuty: account 123456789012 already has it from environment "staging" (one per account); turn it off here\n' +
        '  - environment "prod": audit.accessAnalyzer: account 123456789012 already has it from environment "staging" (one per account); turn it off here',
    );
    const prodWithoutAudit = environmentWith('prod', { accountId: '123456789012', audit: { cloudTrail: false, guardDuty: false, accessAnalyzer: false, trailRetentionDays: 365 } });
    expect(defineEnvironments([staging, prodWithoutAudit])).toHaveLength(2);
  });

  it('ships customer-managed keys and the audit trail for prod, placeholder domains for staging and prod', () => {
    const byName: Record<string, EnvironmentConfig> = Object.fromEntries(ENVIRONMENTS.map((env) => [env.name, env]));
    expect(byName['prod']).toMatchObject({ keys: 'customer-managed', audit: { cloudTrail: true, guardDuty: true } });
    expect(byName['staging']?.domain?.name).toBe('staging.docflow.example.com');
    expect(byName['dev']?.domain).toBeUndefined();
  });

  it('adding an environment is one entry', () => {
    const qa = { ...environmentWith('staging', {}), name: 'qa', vpcCidr: '10.1.0.0/16' };
    expect(defineEnvironments([...ENVIRONMENTS, qa]).map((env) => env.name)).toEqual(['dev', 'staging', 'prod', 'qa']);
  });
});

describe('derived values', () => {
  it('derives the visibility timeout as six times the processing time', () => {
    expect(visibilityTimeoutFor(120)).toBe(720);
  });

  it('knows the Fargate sizes', () => {
    expect(fargateSizeProblem('worker', { cpu: 2048, memoryMiB: 4096 })).toBeUndefined();
    expect(fargateSizeProblem('worker', { cpu: 300, memoryMiB: 512 })).toBe(
      'worker: cpu 300 is not a Fargate CPU size (one of 256, 512, 1024, 2048, 4096, 8192, 16384)',
    );
  });
});
