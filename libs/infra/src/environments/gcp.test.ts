import { describe, expect, it } from 'vitest';
import { environment, environmentWith } from '../testing/index.js';
import { ENVIRONMENTS } from './table.js';
import { cloudRunSizeProblems, exportApiUrl, isPlaceholderProject, type GcpSettings } from './gcp.js';
import { defineEnvironments, environmentProblems } from './validate.js';

const gcpOf = (name: 'dev' | 'staging' | 'prod'): GcpSettings => {
  const gcp = environment(name).gcp;
  if (gcp === undefined) throw new Error(`${name} ships without a gcp section`);
  return gcp;
};

describe('the gcp section of the environment table', () => {
  it('ships one for every environment, with placeholder projects', () => {
    expect(ENVIRONMENTS.map((env) => [env.name, env.gcp !== undefined && isPlaceholderProject(env.gcp.projectId)])).toEqual([
      ['dev', true],
      ['staging', true],
      ['prod', true],
    ]);
  });

  it('reads the api at the environment\'s domain unless it names another URL; without a domain the URL is required', () => {
    expect(exportApiUrl(environment('prod'))).toBe(`https://${environment('prod').domain?.name}`);
    const { apiUrl: _apiUrl, ...withoutUrl } = gcpOf('dev');
    expect(environmentProblems(environmentWith('dev', { gcp: withoutUrl }))).toEqual([
      "gcp.apiUrl: is required without a domain (the api the export job reads, e.g. the HTTP API's URL)",
    ]);
  });

  it('is optional: an environment without it is valid (it gets no GCP stacks)', () => {
    const { gcp: _gcp, ...withoutGcp } = environment('dev');
    expect(environmentProblems(withoutGcp)).toEqual([]);
  });

  it('GIVEN malformed values THEN each problem names the environment and the field', () => {
    const prod = gcpOf('prod');
    const bad: GcpSettings = {
      ...prod,
      projectId: 'Docflow',
      region: 'europe west',
      archiveLocation: 'the-eu',
      dnsName: 'archive.docflow.acme.com.',
      apiUrl: 'http://docflow.acme.com',
      archive: { retentionDays: 0, lockRetention: false },
      exportJob: { ...prod.exportJob, schedule: 'nightly', timeZone: 'CET+1', maxRetries: 11, timeoutMinutes: 2000 },
    };
    expect(() => defineEnvironments([environmentWith('prod', { gcp: bad })])).toThrow(
      [
        'Invalid environment table:',
        '  - environment "prod": gcp.projectId: "Docflow" is not a project id (6-30 lower-case letters, digits and hyphens, starting with a letter)',
        '  - environment "prod": gcp.region: "europe west" is not a Google Cloud region (e.g. europe-west1)',
        '  - environment "prod": gcp.archiveLocation: "the-eu" is not a bucket location (a region such as europe-west1, or EU, US, EUR4, ...)',
        '  - environment "prod": gcp.dnsName: "archive.docflow.acme.com." is not a lower-case DNS name of two or more labels (no trailing dot)',
        '  - environment "prod": gcp.apiUrl: "http://docflow.acme.com" is not an https URL (the API key travels with every request)',
        '  - environment "prod": gcp.archive.retentionDays: must be a whole number of days from 1 to 24855, got 0',
        '  - environment "prod": gcp.exportJob.timeoutMinutes: must be from 1 to 1440, got 2000',
        '  - environment "prod": gcp.exportJob.maxRetries: must be from 0 to 10, got 11',
        '  - environment "prod": gcp.exportJob.schedule: "nightly" is not a unix-cron expression of five fields',
        '  - environment "prod": gcp.exportJob.timeZone: "CET+1" is not an IANA time zone (Etc/UTC, Europe/Berlin)',
      ].join('\n'),
    );
  });

  it('GIVEN a task size Cloud Run refuses, or a scratch volume that leaves the process no memory THEN it says the limits', () => {
    const dev = gcpOf('dev');
    const sized = (cpu: number, memoryMiB: number, scratchMiB: number) => environmentProblems(environmentWith('dev', { gcp: { ...dev, exportJob: { ...dev.exportJob, cpu, memoryMiB, scratchMiB } } }));
    expect(sized(3, 2048, 512)).toEqual(['gcp.exportJob.cpu: must be one of 1, 2, 4, 6, 8, got 3']);
    expect(sized(4, 1024, 256)).toEqual(['gcp.exportJob.memoryMiB: must be a whole number from 2048 to 16384 with 4 CPU, got 1024']);
    expect(sized(1, 2048, 1800)).toEqual([
      'gcp.exportJob.scratchMiB: must be from 64 to memoryMiB - 512 (1536): the volume lives in the task\'s memory, got 1800',
    ]);
    expect(sized(2, 8192, 4096)).toEqual([]);
    expect(cloudRunSizeProblems(8, 32_768)).toEqual([]);
    expect(cloudRunSizeProblems(8, 40_000)).toEqual(['memoryMiB: must be a whole number from 4096 to 32768 with 8 CPU, got 40000']);
  });
});
