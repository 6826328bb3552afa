import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '@docflow/infra';
import { checkPolicies, type PolicyCheck } from '@docflow/guardrails';
import { blankVolatile, testApp, withoutMetadata, type TerraformJson } from '@docflow/infra/testing';
import { defineDocflow, STACK_NAMES } from './app.js';
import { readSettings } from './settings.js';

/**
 * The whole app, synthesized the way `npm run synth` does it (App.synth writing cdk.tf.json files
 * and the manifest), for every environment, with the bootstrap stacks included.
 */
let outdir: string;
let stacks: Record<string, TerraformJson>;
let manifest: { stacks: Record<string, { dependencies: string[]; synthesizedStackPath: string }> };

beforeAll(() => {
  const app = testApp();
  defineDocflow(app, readSettings(ENVIRONMENTS, { DOCFLOW_GITHUB_REPOSITORY: 'acme/docflow' }));
  app.synth();
  outdir = app.outdir;
  manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  stacks = Object.fromEntries(
    readdirSync(join(outdir, 'stacks')).map((id) => [id, JSON.parse(readFileSync(join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8')) as TerraformJson]),
  );
});

describe('the cdktf app', () => {
  it('writes stacks/<env>-<stack>/cdk.tf.json for every environment and stack (and bootstrap when a repository is set)', () => {
    const expected = ENVIRONMENTS.flatMap((env) => [...STACK_NAMES, 'bootstrap'].map((stack) => `${env.name}-${stack}`));
    expect(Object.keys(stacks).sort()).toEqual(expected.sort());
  });

  it('lists the cross-stack dependencies in the manifest', () => {
    const dependencies = (id: string) => [...(manifest.stacks[id]?.dependencies ?? [])].sort();
    expect(dependencies('prod-network')).toEqual([]);
    expect(dependencies('prod-data')).toEqual(['prod-network']);
    expect(dependencies('prod-platform')).toEqual(['prod-network']);
    expect(dependencies('prod-api')).toEqual(['prod-data', 'prod-network', 'prod-platform']);
    expect(dependencies('prod-ingest')).toEqual(['prod-data', 'prod-network', 'prod-platform']);
    expect(dependencies('prod-worker')).toEqual(['prod-data', 'prod-network', 'prod-platform']);
    expect(dependencies('prod-observability')).toEqual(['prod-api', 'prod-data', 'prod-ingest', 'prod-platform', 'prod-worker']);
    expect(dependencies('prod-bootstrap')).toEqual([]);
    expect(manifest.stacks['dev-api']?.synthesizedStackPath).toBe('stacks/dev-api/cdk.tf.json');
  });

  it('never crosses environments: every remote state a stack reads belongs to its own environment', () => {
    for (const [id, json] of Object.entries(stacks)) {
      const env = id.split('-')[0];
      for (const remote of Object.keys(json.data?.['terraform_remote_state'] ?? {})) {
        expect(remote.startsWith(`cross-stack-reference-input-${env}-`), `${id} reads ${remote}`).toBe(true);
      }
    }
  });
});

describe.each(ENVIRONMENTS.map((env) => [env.name, env.worker.mode] as const))('environment %s', (envName, workerMode) => {
  const ids = () => Object.keys(stacks).filter((id) => id.startsWith(`${envName}-`));

  it('passes every policy check in every stack', () => {
    const checked: Partial<Record<PolicyCheck, number>> = {};
    const violations: string[] = [];
    for (const id of ids()) {
      const report = checkPolicies(id, stacks[id] ?? {});
      violations.push(...report.violations);
      for (const [check, count] of Object.entries(report.checked)) checked[check as PolicyCheck] = (checked[check as PolicyCheck] ?? 0) + count;
    }
    expect(violations).toEqual([]);
    // each check found something to look at (a check over nothing proves nothing); pipes exist in pipe mode only
    for (const [check, count] of Object.entries(checked)) {
      if (check === 'pipeLaunch' && workerMode === 'poll') expect(count, check).toBe(0);
      else expect(count, check).toBeGreaterThan(0);
    }
  });

  it('matches its regression snapshot (volatile values blanked)', async () => {
    const snapshot = Object.fromEntries(ids().sort().map((id) => [id, withoutMetadata(stacks[id])]));
    await expect(JSON.stringify(blankVolatile(snapshot, [outdir, process.cwd()]), null, 2) + '\n').toMatchFileSnapshot(`./__snapshots__/${envName}.json`);
  });
});
