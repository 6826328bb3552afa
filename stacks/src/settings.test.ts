import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '@docflow/infra';
import { readSettings, SettingsError } from './settings.js';

describe('readSettings', () => {
  it('GIVEN no variable THEN every environment, local state, no repository (foundation stacks hold only the boundary)', () => {
    const settings = readSettings(ENVIRONMENTS, {});
    expect(settings.environments.map((env) => env.name)).toEqual(['dev', 'staging', 'prod']);
    expect(settings.stateBackends).toEqual({});
    expect(settings.githubRepository).toBeUndefined();
  });

  it('GIVEN a shared state bucket and one override THEN each environment gets its bucket, in the given region', () => {
    const settings = readSettings(ENVIRONMENTS, {
      DOCFLOW_STATE_BUCKET: 'docflow-tfstate-shared',
      DOCFLOW_STATE_BUCKET_PROD: 'docflow-prod-tfstate-123456789012',
      DOCFLOW_STATE_REGION: 'eu-central-1',
    });
    expect(settings.stateBackends).toEqual({
      dev: { bucket: 'docflow-tfstate-shared', region: 'eu-central-1' },
      staging: { bucket: 'docflow-tfstate-shared', region: 'eu-central-1' },
      prod: { bucket: 'docflow-prod-tfstate-123456789012', region: 'eu-central-1' },
    });
  });

  it('GIVEN GCP state buckets THEN the GCP stacks of each environment keep their state in GCS; a bad name is named', () => {
    const settings = readSettings(ENVIRONMENTS, { DOCFLOW_GCP_STATE_BUCKET: 'docflow-gcp-tfstate', DOCFLOW_GCP_STATE_BUCKET_PROD: 'docflow-prod-tfstate-acme' });
    expect(settings.gcpStateBackends).toEqual({ dev: { bucket: 'docflow-gcp-tfstate' }, staging: { bucket: 'docflow-gcp-tfstate' }, prod: { bucket: 'docflow-prod-tfstate-acme' } });
    expect(readSettings(ENVIRONMENTS, {}).gcpStateBackends).toEqual({});
    expect(() => readSettings(ENVIRONMENTS, { DOCFLOW_GCP_STATE_BUCKET_DEV: 'Bad Bucket' })).toThrow('DOCFLOW_GCP_STATE_BUCKET_DEV: "Bad Bucket" is not a GCS bucket name');
  });

  it('GIVEN DOCFLOW_ENVIRONMENTS THEN only those, in table order', () => {
    expect(readSettings(ENVIRONMENTS, { DOCFLOW_ENVIRONMENTS: 'prod, dev' }).environments.map((env) => env.name)).toEqual(['dev', 'prod']);
  });

  it('GIVEN bad values THEN one error lists each, naming its variable', () => {
    const read = () =>
      readSettings(ENVIRONMENTS, {
        DOCFLOW_ENVIRONMENTS: 'dev,qa',
        DOCFLOW_STATE_BUCKET: 'Not_A_Bucket',
        DOCFLOW_GITHUB_REPOSITORY: 'docflow',
        DOCFLOW_GITHUB_OIDC_PROVIDER_ARN_DEV: 'arn:aws:iam::1:oidc-provider/x',
      });
    expect(read).toThrow(SettingsError);
    expect(read).toThrow(
      [
        'Invalid synth settings:',
        '  - DOCFLOW_ENVIRONMENTS: unknown environment qa (known: dev, staging, prod)',
        '  - DOCFLOW_STATE_BUCKET: "Not_A_Bucket" is not an S3 bucket name',
        '  - DOCFLOW_GITHUB_OIDC_PROVIDER_ARN_DEV: "arn:aws:iam::1:oidc-provider/x" is not a GitHub OIDC provider ARN',
        '  - DOCFLOW_GITHUB_REPOSITORY: "docflow" must be "owner/name"',
      ].join('\n'),
    );
  });

  it('GIVEN a repository id THEN it is read beside the repository, and refused when it is not a number or comes without the repository', () => {
    expect(readSettings(ENVIRONMENTS, { DOCFLOW_GITHUB_REPOSITORY: 'acme/docflow', DOCFLOW_GITHUB_REPOSITORY_ID: '123456789' })).toMatchObject({ githubRepository: 'acme/docflow', githubRepositoryId: '123456789' });
    expect(() => readSettings(ENVIRONMENTS, { DOCFLOW_GITHUB_REPOSITORY: 'acme/docflow', DOCFLOW_GITHUB_REPOSITORY_ID: 'acme' })).toThrow(
      '  - DOCFLOW_GITHUB_REPOSITORY_ID: "acme" is not a repository id (a number: gh api repos/<owner>/<repo> --jq .id)',
    );
    expect(() => readSettings(ENVIRONMENTS, { DOCFLOW_GITHUB_REPOSITORY_ID: '123' })).toThrow('  - DOCFLOW_GITHUB_REPOSITORY_ID: needs DOCFLOW_GITHUB_REPOSITORY');
    // in GitHub Actions: the runner's GITHUB_REPOSITORY_ID, only when the runner's repository is the one trusted
    const runner = { GITHUB_REPOSITORY: 'acme/docflow', GITHUB_REPOSITORY_ID: '987654321' };
    expect(readSettings(ENVIRONMENTS, { DOCFLOW_GITHUB_REPOSITORY: 'acme/docflow', ...runner }).githubRepositoryId).toBe('987654321');
    expect(readSettings(ENVIRONMENTS, { DOCFLOW_GITHUB_REPOSITORY: 'acme/other', ...runner }).githubRepositoryId).toBeUndefined();
  });

  it('GIVEN an existing OIDC provider but no repository THEN it says the provider needs the repository', () => {
    expect(() =>
      readSettings(ENVIRONMENTS, { DOCFLOW_GITHUB_OIDC_PROVIDER_ARN_PROD: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' }),
    ).toThrow('  - DOCFLOW_GITHUB_OIDC_PROVIDER_ARN_PROD: needs DOCFLOW_GITHUB_REPOSITORY (the OIDC roles are created only for a repository)');
  });
});
