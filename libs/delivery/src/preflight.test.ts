import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeholders, refusePlaceholders } from './placeholders.js';
import { checkFirstApply, firstApplyNeeds, type AwsChecks } from './preflight.js';
import { openWorkspace, readStackJson, requireStack, type DeliveryWorkspace } from './workspace.js';

/**
 * The checks before a deploy, on the real synthesized dev and staging stacks (`npm run synth` into
 * a temporary folder). AWS itself is a stand-in here (no account on this machine): the checks ask
 * it through the `AwsChecks` interface, which the SDK answers in CI.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const outdir = mkdtempSync(join(tmpdir(), 'docflow-preflight-'));
let workspace: DeliveryWorkspace;
const stack = (env: string, name: string) => requireStack(workspace, env, name);

beforeAll(() => {
  const synth = spawnSync(process.execPath, ['stacks/synth.mjs'], { cwd: root, env: { PATH: process.env['PATH'] ?? '', CDKTF_OUTDIR: outdir, DOCFLOW_ENVIRONMENTS: 'dev,staging' }, encoding: 'utf8' });
  expect(synth.status, synth.stderr).toBe(0);
  workspace = openWorkspace(root, { CDKTF_OUTDIR: outdir });
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** A stand-in for AWS that knows some images and some secrets with a value. */
const standIn = (images: string[], secrets: string[]): AwsChecks => ({
  imageExists: async (_region, repository, tag) => images.includes(`${repository}:${tag}`),
  secretHasValue: async (_region, secretId) => secrets.includes(secretId),
});

describe('before a service stack\'s first apply (stand-in AWS)', () => {
  const app = { root: 'apps/api', tag: '0123456789abcdef0123' };

  it('knows what each stack needs: the image of its app, and the API-keys secret when its containers read it', () => {
    const api = stack('dev', 'api');
    expect(firstApplyNeeds(api, readStackJson(api), app)).toEqual({
      region: 'eu-west-1',
      image: { repository: 'docflow-dev-api', tag: app.tag },
      secrets: ['docflow-dev/api-keys'],
    });
    const worker = stack('dev', 'worker');
    expect(firstApplyNeeds(worker, readStackJson(worker), { root: 'apps/worker', tag: app.tag })?.secrets).toEqual([]);
    const network = stack('dev', 'network');
    expect(firstApplyNeeds(network, readStackJson(network), undefined)).toBeUndefined();
  });

  it('GIVEN no image and an empty secret THEN it stops, saying what to do', async () => {
    const api = stack('dev', 'api');
    const needs = firstApplyNeeds(api, readStackJson(api), app);
    if (!needs) throw new Error('dev-api needs nothing?');
    await expect(checkFirstApply(api, needs, standIn([], []))).rejects.toThrow(
      "dev-api cannot start its service yet (first apply): the image docflow-dev-api:0123456789abcdef0123 is not in ECR (eu-west-1): push it first (deploy.yml does, through npx nx run api:image -c dev with Docker and DOCFLOW_IMAGE_REGISTRY); the secret docflow-dev/api-keys has no value: aws secretsmanager put-secret-value --secret-id docflow-dev/api-keys --secret-string '<key1>,<key2>' (each key at least 16 characters)",
    );
    await expect(checkFirstApply(api, needs, standIn(['docflow-dev-api:0123456789abcdef0123'], ['docflow-dev/api-keys']))).resolves.toBeUndefined();
  });
});

describe('placeholders at deploy', () => {
  it('GIVEN staging (standard) with the shipped placeholder alarm address THEN its deploy is refused, naming the value', () => {
    const observability = stack('staging', 'observability');
    const refuse = () => refusePlaceholders(observability, readStackJson(observability));
    expect(refuse).toThrow(/^staging-observability: a standard environment is not deployed with placeholders \(/);
    expect(refuse).toThrow(/aws_sns_topic_subscription\.[A-Za-z0-9_]+\.endpoint = "docflow-alerts@example\.com"/);
    expect(refuse).toThrow(/aws_budgets_budget\.[A-Za-z0-9_]+\.notification\[0\]\.subscriber_email_addresses\[0\] = "docflow-alerts@example\.com"/);
    expect(refuse).toThrow(/; set the real values in libs\/infra\/src\/environments\/table\.ts$/);
  });

  it('GIVEN dev (lean) THEN the same placeholder does not stop it (synth warns)', () => {
    const observability = stack('dev', 'observability');
    // the alarm subscription and the budget's notifications
    expect(new Set(placeholders(readStackJson(observability)).map((found) => found.value))).toEqual(new Set(['docflow-alerts@example.com']));
    expect(() => refusePlaceholders(observability, readStackJson(observability))).not.toThrow();
  });

  it('GIVEN staging\'s GCP stacks THEN the placeholder project and example domain refuse them too (they carry the profile as a label)', () => {
    const exportStack = stack('staging', 'gcp-export');
    const refuse = () => refusePlaceholders(exportStack, readStackJson(exportStack));
    expect(refuse).toThrow(/^staging-gcp-export: a standard environment is not deployed with placeholders \(/);
    expect(refuse).toThrow(/provider\.google\[0\]\.project = "docflow-staging-example"/);
    expect(refuse).toThrow(/google_cloud_run_v2_job\.[A-Za-z0-9_]+\.template\.template\.containers\[0\]\.env\[1\]\.value = "https:\/\/staging\.docflow\.example\.com"/);
    const devExport = stack('dev', 'gcp-export');
    expect(() => refusePlaceholders(devExport, readStackJson(devExport))).not.toThrow();
  });

  it('the CLI refuses before Terraform or credentials are even looked for', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'libs/delivery/src/cli/main.ts', 'deploy', 'observability', '--env', 'staging'], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', CDKTF_OUTDIR: outdir, HOME: outdir },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: staging-observability: a standard environment is not deployed with placeholders/);
  });
});
