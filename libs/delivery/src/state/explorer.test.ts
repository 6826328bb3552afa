import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terraform } from '../terraform.js';
import { openWorkspace } from '../workspace.js';
import { exploreStateFile, NO_CONFIGURATION, NOT_IN_CONFIGURATION } from './explorer.js';
import { formatStateReport } from './format.js';

/**
 * Which configuration a state file is read against, on state files real Terraform wrote: two cdktf
 * projects (hand-written cdk.tf.json in cdktf's shape, `//` metadata included, terraform_data
 * only) each hold a `dev-data` stack with different resources. A state file belongs to the project
 * it sits in, whatever the workspace holds under the same stack id.
 */
const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'docflow-explorer-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const workspaceDir = join(scratch, 'workspace');
const otherDir = join(scratch, 'other');
const looseDir = join(scratch, 'loose');

/** A cdktf project in `dir` with one synthesized stack `dev-data` of terraform_data resources (construct id -> Terraform name). */
function project(dir: string, output: string, resources: Record<string, string>): string {
  writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ app: 'node main.js', output }));
  const stackDir = join(dir, output, 'stacks', 'dev-data');
  mkdirSync(stackDir, { recursive: true });
  const config = {
    terraform: { backend: { local: { path: '../../../terraform.dev-data.tfstate' } } },
    resource: {
      terraform_data: Object.fromEntries(
        Object.entries(resources).map(([construct, name]) => [name, { '//': { metadata: { path: `dev-data/${construct}`, uniqueId: name } }, input: { construct } }]),
      ),
    },
  };
  writeFileSync(join(stackDir, 'cdk.tf.json'), JSON.stringify(config, null, 2));
  return stackDir;
}

function apply(stackDir: string): void {
  for (const args of [
    ['init', '-input=false', '-no-color'],
    ['apply', '-input=false', '-auto-approve', '-no-color'],
  ]) {
    const run = terraform(args, { cwd: stackDir });
    if (run.code !== 0) throw new Error(`terraform ${args[0]}: ${run.stderr}`);
  }
}

beforeAll(() => {
  for (const dir of [workspaceDir, otherDir, looseDir]) mkdirSync(dir);
  project(workspaceDir, 'cdktf.out', { 'Workspace/Thing': 'Workspace_Thing_1A2B3C4D' });
  // the other project writes to a folder of its own name (cdktf.json `output`)
  apply(project(otherDir, 'out', { 'Database/Instance': 'Database_Instance_5E6F7A8B', 'Database/Parameters': 'Database_Parameters_9C0D1E2F' }));
  copyFileSync(join(otherDir, 'terraform.dev-data.tfstate'), join(looseDir, 'terraform.dev-data.tfstate'));
}, 120_000);

describe('exploreStateFile: the configuration a state file is read against', () => {
  it("GIVEN a state file in another cdktf project THEN that project's stack gives construct paths and drift, not the workspace's stack of the same id", () => {
    const report = exploreStateFile(join(otherDir, 'terraform.dev-data.tfstate'), openWorkspace(workspaceDir, {}));
    expect(report.configuration).toBe(join(otherDir, 'out', 'stacks', 'dev-data', 'cdk.tf.json'));
    expect(report.byConstruct).toEqual([
      { construct: 'Database/Instance', addresses: ['terraform_data.Database_Instance_5E6F7A8B'] },
      { construct: 'Database/Parameters', addresses: ['terraform_data.Database_Parameters_9C0D1E2F'] },
    ]);
    expect(report.drift).toEqual({ missingFromState: [], notInConfiguration: [] });
  });

  it('GIVEN a state file in no cdktf project THEN the workspace stack of the same id is used, and what it does not hold is labelled "not in the configuration"', () => {
    const report = exploreStateFile(join(looseDir, 'terraform.dev-data.tfstate'), openWorkspace(workspaceDir, {}));
    expect(report.configuration).toBe(join(workspaceDir, 'cdktf.out', 'stacks', 'dev-data', 'cdk.tf.json'));
    expect(report.byConstruct).toEqual([{ construct: NOT_IN_CONFIGURATION, addresses: ['terraform_data.Database_Instance_5E6F7A8B', 'terraform_data.Database_Parameters_9C0D1E2F'] }]);
    expect(report.drift).toEqual({
      missingFromState: ['terraform_data.Workspace_Thing_1A2B3C4D'],
      notInConfiguration: ['terraform_data.Database_Instance_5E6F7A8B', 'terraform_data.Database_Parameters_9C0D1E2F'],
    });
  });

  it('GIVEN no configuration anywhere THEN the report says none was found and where it looked', () => {
    const report = exploreStateFile(join(looseDir, 'terraform.dev-data.tfstate'));
    expect(report.configuration).toBeNull();
    expect(report.configurationSearched).toEqual([join(looseDir, 'cdk.tf.json')]);
    expect(report.byConstruct).toEqual([{ construct: NO_CONFIGURATION, addresses: ['terraform_data.Database_Instance_5E6F7A8B', 'terraform_data.Database_Parameters_9C0D1E2F'] }]);
    expect(report.drift).toBeNull();
    expect(formatStateReport(report)).toContain(`  configuration none found (looked for ${join(looseDir, 'cdk.tf.json')}): no construct paths, no drift\n`);
  });

  it("GIVEN the CLI in docflow's workspace and another project's state file THEN it reads that project's configuration (exit 0, no drift)", () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(repositoryRoot, 'libs/delivery/src/cli/main.ts'), 'state', join(otherDir, 'terraform.dev-data.tfstate')], {
      cwd: repositoryRoot,
      env: { PATH: process.env['PATH'] ?? '', HOME: scratch },
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`  configuration ${join(otherDir, 'out', 'stacks', 'dev-data', 'cdk.tf.json')}\n`);
    expect(result.stdout).toContain('Resources by construct\n  Database/Instance\n    terraform_data.Database_Instance_5E6F7A8B\n');
    expect(result.stdout).toContain('Drift of addresses (configuration vs state)\n  none');
  });
});
