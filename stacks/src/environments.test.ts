import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '@docflow/infra';
import { appFromStacks, evaluatePolicy, RULES, type Finding } from '@docflow/guardrails';
import { blankVolatile, testApp, withoutMetadata, type TerraformJson } from '@docflow/infra/testing';
import { defineDocflow, GCP_STACK_NAMES, STACK_NAMES } from './app.js';
import { readSettings } from './settings.js';

/**
 * The whole app, synthesized the way `npm run synth` does it (App.synth writing cdk.tf.json files
 * and the manifest), for every environment, with a repository set (so the foundation stacks hold the
 * state bucket and the OIDC roles too).
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
  it('writes stacks/<env>-<stack>/cdk.tf.json for every environment and stack, the foundation and the GCP stacks included', () => {
    const expected = ENVIRONMENTS.flatMap((env) => [...STACK_NAMES, ...GCP_STACK_NAMES].map((stack) => `${env.name}-${stack}`));
    expect(Object.keys(stacks).sort()).toEqual(expected.sort());
  });

  it('lists the cross-stack dependencies in the manifest: every stack depends on its foundation', () => {
    const dependencies = (id: string) => [...(manifest.stacks[id]?.dependencies ?? [])].sort();
    expect(dependencies('prod-foundation')).toEqual([]);
    expect(dependencies('prod-network')).toEqual(['prod-foundation']);
    expect(dependencies('prod-data')).toEqual(['prod-foundation', 'prod-network']);
    expect(dependencies('prod-platform')).toEqual(['prod-foundation', 'prod-network']);
    expect(dependencies('prod-api')).toEqual(['prod-data', 'prod-foundation', 'prod-network', 'prod-platform']);
    expect(dependencies('prod-ingest')).toEqual(['prod-data', 'prod-foundation', 'prod-network', 'prod-platform']);
    // the api stack's deploy migrates the database; the worker's follows it
    expect(dependencies('prod-worker')).toEqual(['prod-api', 'prod-data', 'prod-foundation', 'prod-network', 'prod-platform']);
    expect(dependencies('prod-observability')).toEqual(['prod-api', 'prod-data', 'prod-foundation', 'prod-ingest', 'prod-platform', 'prod-worker']);
    expect(manifest.stacks['dev-api']?.synthesizedStackPath).toBe('stacks/dev-api/cdk.tf.json');
  });

  it('lists the GCP stacks\' dependencies: each on its GCP foundation, the export on the registry and the archive, none on an AWS stack', () => {
    const dependencies = (id: string) => [...(manifest.stacks[id]?.dependencies ?? [])].sort();
    expect(dependencies('prod-gcp-foundation')).toEqual([]);
    for (const stack of ['gcp-registry', 'gcp-archive', 'gcp-dns']) expect(dependencies(`prod-${stack}`), stack).toEqual(['prod-gcp-foundation']);
    expect(dependencies('prod-gcp-export')).toEqual(['prod-gcp-archive', 'prod-gcp-foundation', 'prod-gcp-registry']);
    for (const [id, json] of Object.entries(stacks).filter(([id]) => id.includes('-gcp-'))) {
      expect(json.provider?.['aws'], id).toBeUndefined();
      expect(Object.keys(json.resource ?? {}).filter((type) => !type.startsWith('google_')), id).toEqual([]);
    }
  });

  it('creates the workload boundary in the foundation only, and every workload role names it through the foundation\'s state', () => {
    for (const [id, json] of Object.entries(stacks)) {
      const boundaries = Object.values(json.resource?.['aws_iam_policy'] ?? {}).filter((policy) => String(policy['name']).endsWith('-workload-boundary'));
      const env = id.split('-')[0];
      const isFoundation = id === `${env}-foundation`;
      expect(boundaries.length, id).toBe(isFoundation ? 1 : 0);
      for (const role of Object.values(json.resource?.['aws_iam_role'] ?? {})) {
        if (isFoundation) continue;
        expect(role['permissions_boundary'], id).toMatch(new RegExp(`^\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-${env}-foundation\\.outputs\\.`));
      }
    }
  });

  it('requires Terraform 1.10 or later in every stack', () => {
    for (const [id, json] of Object.entries(stacks)) expect(json.terraform?.['required_version'], id).toBe('>= 1.10');
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

/** One line per finding, as `npm run policy` prints them. */
const describeFinding = (finding: Finding) => `${finding.outcome} ${finding.rule} ${finding.stackId} ${finding.address}: ${finding.message}`;

/** Rules for resources docflow does not have yet (none: every rule judges something). */
const RULES_WITH_NOTHING_TO_JUDGE: readonly string[] = [];

describe('the policy over every environment', () => {
  it('judges something with every rule (a rule over nothing proves nothing), except the rules for resources docflow does not have', () => {
    const report = evaluatePolicy(appFromStacks(stacks));
    const idle = report.rules.filter((rule) => rule.evaluated === 0).map((rule) => rule.id);
    expect(idle.sort()).toEqual([...RULES_WITH_NOTHING_TO_JUDGE].sort());
    expect(report.rules).toHaveLength(RULES.length);
  });
});

describe.each(ENVIRONMENTS.map((env) => [env.name] as const))('environment %s', (envName) => {
  const ids = () => Object.keys(stacks).filter((id) => id.startsWith(`${envName}-`));

  it('passes the policy: nothing fails or is unknown beyond docflow\'s waivers, and no waiver is stale', () => {
    const report = evaluatePolicy(appFromStacks(Object.fromEntries(ids().map((id) => [id, stacks[id] ?? {}]))));
    expect(report.blocking.map(describeFinding)).toEqual([]);
    // a waiver that covers nothing here goes with the fix that made it unnecessary
    expect(report.waivers.filter((status) => status.stale).map((status) => `${status.waiver.rule} (${status.waiver.reason})`)).toEqual([]);
  });

  it('matches its regression snapshot (volatile values blanked)', async () => {
    const snapshot = Object.fromEntries(ids().sort().map((id) => [id, withoutMetadata(stacks[id])]));
    await expect(JSON.stringify(blankVolatile(snapshot, [outdir, process.cwd()]), null, 2) + '\n').toMatchFileSnapshot(`./__snapshots__/${envName}.json`);
  });
});
