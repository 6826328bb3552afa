import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackPlansFromRun } from './comment/from-run.js';
import { renderPlanComment } from './comment/render.js';
import { imageTag } from './image-tag.js';
import { formatRunSummary, runStacks, type RunSummary } from './run.js';
import { exploreStack, type TerraformState } from './state/explorer.js';
import { openWorkspace, requireStack } from './workspace.js';

/**
 * delivery's own end-to-end proof, on real Terraform and no AWS: the fixture cdktf app
 * (stacks/src/fixture/main.ts, terraform_data only, docflow's stack shape) driven by the real Nx
 * targets (the same plugin, task graph, CLI and runner as the real stacks; DOCFLOW_DELIVERY_DIR
 * points them at the fixture), with local state in a temporary folder.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const AWS_STACKS = ['foundation', 'network', 'data', 'platform', 'api', 'ingest', 'worker', 'observability'];
const GCP_STACKS = ['gcp-foundation', 'gcp-registry', 'gcp-archive', 'gcp-dns', 'gcp-export'];
const STACKS = [...AWS_STACKS, ...GCP_STACKS];
const unchanged = (stacks: readonly string[]) => Object.fromEntries(stacks.map((stack) => [stack, 'unchanged']));
const dir = mkdtempSync(join(tmpdir(), 'docflow-fixture-'));
const vars = { ...process.env, DOCFLOW_DELIVERY_DIR: dir };
const CYCLE_TIMEOUT = 300_000;

function setInputs(inputs: { revision?: Record<string, string>; failApply?: string[] }): void {
  writeFileSync(join(dir, 'fixture-inputs.json'), JSON.stringify(inputs));
}

const statusOf = (summary: RunSummary) => Object.fromEntries(summary.stacks.map((entry) => [entry.id.replace(/^dev-/, ''), entry.status]));
const run = (action: 'deploy' | 'diff' | 'destroy', files?: string[]) =>
  runStacks({ action, env: 'dev', root, vars, stream: false, scope: files ? { kind: 'affected', files } : { kind: 'all' } });
/** The end of Nx's output, to read beside a failed expectation. */
const tail = (summary: RunSummary) => (summary.log ?? '').split('\n').slice(-40).join('\n');

/** The delivery CLI, as the Nx targets and npm scripts run it. */
function cli(args: string[], env: NodeJS.ProcessEnv = vars) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'libs/delivery/src/cli/main.ts', ...args], { cwd: root, env, encoding: 'utf8' });
}

beforeAll(() => {
  const tsx = import.meta.resolve('tsx');
  writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ app: `node --import ${tsx} ${join(root, 'stacks', 'src', 'fixture', 'main.ts')}`, output: 'cdktf.out' }));
  setInputs({});
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the fixture cycle through the real targets (nx, terraform init/plan/apply)', { timeout: CYCLE_TIMEOUT }, () => {
  it('GIVEN nothing deployed yet THEN a plan that reads an upstream stack\'s missing state is failed with Terraform\'s error, in the summary and the comment', () => {
    // diff tasks do not wait for each other: the network's plan runs, and fails, because the
    // foundation's state it reads (terraform_remote_state) does not exist yet
    const summary = runStacks({ action: 'diff', env: 'dev', root, vars, stream: false, scope: { kind: 'all' }, nxArgs: ['--projects=stack-foundation,stack-network'] });
    expect(summary.ok).toBe(false);
    expect(statusOf(summary), tail(summary)).toEqual({ foundation: 'changes', network: 'failed' });
    const network = summary.stacks.find((entry) => entry.id === 'dev-network');
    expect(network?.result?.message).toMatch(/^dev-network: terraform plan failed: Error: Unable to find remote state/);

    const table = formatRunSummary(summary);
    expect(table).toMatch(/^diff dev: 1 changes, 0 unchanged, 1 failed, 0 skipped\n/);
    expect(table).toMatch(/dev-network\s+failed\s+dev-network: terraform plan failed: Error: Unable to find remote state/);

    const comment = renderPlanComment(stackPlansFromRun(summary, openWorkspace(dir)), { env: 'dev' });
    expect(comment).toContain('**2 stacks** (1 with changes, 1 without a plan)');
    expect(comment).toContain('| `dev-network` | :x: no plan |');
    expect(comment).toMatch(/<summary><code>dev-network<\/code>: no plan<\/summary>\n\n```\ndev-network: terraform plan failed: Error: Unable to find remote state/);
    expect(comment).not.toContain('depends on');
  });

  it('deploys every stack in graph order, each service with its content-hash image tag', () => {
    const started = Date.now();
    const summary = run('deploy');
    console.log(`fixture: deploy of ${STACKS.length} stacks through nx took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(summary.ok, tail(summary)).toBe(true);
    expect(statusOf(summary)).toEqual(Object.fromEntries(STACKS.map((stack) => [stack, 'applied'])));
    const order = summary.stacks.map((entry) => entry.id.replace(/^dev-/, ''));
    for (const stack of AWS_STACKS.slice(1)) expect(order.indexOf(stack), stack).toBeGreaterThan(order.indexOf('foundation'));
    for (const stack of GCP_STACKS.slice(1)) expect(order.indexOf(stack), stack).toBeGreaterThan(order.indexOf('gcp-foundation'));
    expect(order.indexOf('observability')).toBeGreaterThan(Math.max(...['api', 'ingest', 'worker'].map((stack) => order.indexOf(stack))));
    expect(order.indexOf('worker')).toBeGreaterThan(order.indexOf('api'));
    // the fixture's manifest carries the same edge as docflow's (stacks/src/environments.test.ts)
    const manifest = JSON.parse(readFileSync(join(dir, 'cdktf.out', 'manifest.json'), 'utf8')) as { stacks: Record<string, { dependencies: string[] }> };
    expect(manifest.stacks['dev-worker']?.dependencies).toContain('dev-api');
    expect(manifest.stacks['dev-ingest']?.dependencies).not.toContain('dev-api');
    for (const service of ['api', 'ingest', 'worker']) {
      expect(summary.stacks.find((entry) => entry.id === `dev-${service}`)?.result?.imageTag, service).toBe(imageTag(join(root, 'apps', service)));
    }
    // the export job runs the exporter's image under the same kind of content-hash tag
    expect(summary.stacks.find((entry) => entry.id === 'dev-gcp-export')?.result?.imageTag).toBe(imageTag(join(root, 'apps', 'exporter')));
  });

  it('GIVEN the exporter changed THEN its GCP stack redeploys after its upstream GCP stacks, and no AWS stack runs', () => {
    // a new image is a new tag; the fixture stands for it with a new revision of the job
    setInputs({ revision: { 'gcp-export': '2' } });
    const summary = run('deploy', ['apps/exporter/src/export.ts']);
    expect(summary.ok, tail(summary)).toBe(true);
    expect(statusOf(summary)).toEqual({ 'gcp-foundation': 'unchanged', 'gcp-registry': 'unchanged', 'gcp-archive': 'unchanged', 'gcp-export': 'applied' });
  });

  it('GIVEN one stack input changed THEN redeploying the affected stacks changes it and its downstream stacks only', () => {
    setInputs({ revision: { platform: '2', 'gcp-export': '2' } });
    const summary = run('deploy', ['stacks/platform/src/platform-stack.ts']);
    expect(summary.ok, tail(summary)).toBe(true);
    expect(statusOf(summary)).toEqual({
      foundation: 'unchanged',
      network: 'unchanged',
      data: 'unchanged',
      platform: 'applied',
      api: 'applied',
      ingest: 'applied',
      worker: 'applied',
      observability: 'applied',
    });
  });

  it('GIVEN a libs/db change whose api deploy (the migrations) fails THEN the worker stack is skipped, not rolled out; once the api applies, the worker follows', () => {
    // the fixture stands for a new migration and the worker that needs it with new revisions of both
    setInputs({ revision: { platform: '2', 'gcp-export': '2', api: '2', worker: '2' }, failApply: ['api'] });
    const failed = run('deploy', ['libs/db/src/pool.ts']);
    expect(failed.ok).toBe(false);
    // ingest and the GCP stacks but gcp-dns are in the run as upstream of affected stacks
    // (observability, the exporter's gcp-export); ingest, beside the api, is untouched by its failure
    expect(statusOf(failed)).toEqual({
      foundation: 'unchanged',
      network: 'unchanged',
      data: 'unchanged',
      platform: 'unchanged',
      api: 'failed',
      ingest: 'unchanged',
      worker: 'skipped',
      observability: 'skipped',
      ...unchanged(['gcp-foundation', 'gcp-registry', 'gcp-archive', 'gcp-export']),
    });

    // the migration fixed: the api applies, then the worker. (Inputs never used before: the
    // fixture's synth output lives outside the workspace, so a cache hit on inputs an earlier test
    // used would leave the failing configuration in place.)
    setInputs({ revision: { platform: '2', 'gcp-export': '2', api: '2', worker: '2' } });
    const fixed = run('deploy', ['libs/db/src/pool.ts']);
    expect(fixed.ok, tail(fixed)).toBe(true);
    expect(statusOf(fixed)).toMatchObject({ api: 'applied', worker: 'applied', observability: 'applied' });
    const order = fixed.stacks.map((entry) => entry.id);
    expect(order.indexOf('dev-worker')).toBeGreaterThan(order.indexOf('dev-api'));
  });

  it('shows the state of a stack by construct, with secret-looking outputs masked', () => {
    const report = exploreStack(requireStack(openWorkspace(dir), 'dev', 'data'));
    expect(report.byConstruct).toEqual([{ construct: 'Database', addresses: ['terraform_data.Database'] }]);
    expect(report.serial).toBeGreaterThan(0);
    expect(report.outputs.find((output) => output.name === 'connection_url')).toEqual({ name: 'connection_url', value: '(masked)', sensitive: false, masked: true });
    expect(report.drift).toEqual({ missingFromState: [], notInConfiguration: [] });

    const printed = cli(['state', join(dir, 'terraform.dev-data.tfstate')]);
    expect(printed.status, printed.stderr).toBe(0);
    expect(printed.stdout).toContain('Resources by construct\n  Database\n    terraform_data.Database');
    expect(printed.stdout).toContain('connection_url');
    expect(printed.stdout).not.toContain('fixture-password');
  });

  it('GIVEN the state changed behind Terraform\'s back THEN the drift run reports that stack (exit 2) and no other', () => {
    const file = join(dir, 'terraform.dev-network.tfstate');
    type EditableState = { resources: { type: string; instances: { attributes: { input: { value: Record<string, string> } } }[] }[] };
    const state = JSON.parse(readFileSync(file, 'utf8')) as EditableState;
    const vpc = state.resources.find((resource) => resource.type === 'terraform_data');
    if (!vpc?.instances[0]) throw new Error('the network state has no terraform_data');
    vpc.instances[0].attributes.input.value['cidr'] = '10.99.0.0/16';
    writeFileSync(file, JSON.stringify(state));

    const drift = cli(['run', 'diff', '--env', 'dev', '--detailed-exitcode']);
    expect(drift.status, drift.stderr).toBe(2);
    expect(drift.stdout).toMatch(/diff dev: 1 changes, 12 unchanged, 0 failed, 0 skipped/);
    expect(drift.stdout).toMatch(/dev-network\s+changes\s+0 to add, 1 to change, 0 to destroy/);

    // where CI has no Google credentials, the GCP stacks are left out, and the summary says so
    const awsOnly = cli(['run', 'diff', '--env', 'dev', '--exclude', 'tag:cloud:gcp']);
    expect(awsOnly.status, awsOnly.stderr).toBe(0);
    expect(awsOnly.stdout).toMatch(/diff dev: 1 changes, 7 unchanged, 0 failed, 0 skipped\n {2}left out \(--exclude\): tag:cloud:gcp\n/);
    expect(awsOnly.stdout).not.toMatch(/dev-gcp-/);
  });

  it('GIVEN an apply that fails THEN the stacks downstream of it are skipped, the others untouched, and the summary says so', () => {
    setInputs({ revision: { platform: '2', data: '2', 'gcp-export': '2' }, failApply: ['data'] });
    const summary = run('deploy');
    expect(summary.ok).toBe(false);
    expect(statusOf(summary)).toEqual({
      foundation: 'unchanged',
      network: 'applied', // the drift above, put right
      data: 'failed',
      platform: 'unchanged',
      api: 'skipped',
      ingest: 'skipped',
      worker: 'skipped',
      observability: 'skipped',
      ...unchanged(GCP_STACKS),
    });
  });

  it('destroys every stack in reverse graph order', () => {
    setInputs({ revision: { platform: '2', data: '2', 'gcp-export': '2' } });
    const summary = run('destroy');
    expect(summary.ok, tail(summary)).toBe(true);
    const position = (stack: string) => summary.stacks.findIndex((entry) => entry.id === `dev-${stack}`);
    // every stack is destroyed before the stacks it depends on
    for (const [downstream, upstream] of [
      ['observability', 'api'],
      ['observability', 'ingest'],
      ['observability', 'worker'],
      ['worker', 'api'],
      ...['api', 'ingest', 'worker'].flatMap((service) => [
        [service, 'data'],
        [service, 'platform'],
      ]),
      ['data', 'network'],
      ['platform', 'network'],
      ['network', 'foundation'],
      ['gcp-export', 'gcp-registry'],
      ['gcp-export', 'gcp-archive'],
      ...['gcp-registry', 'gcp-archive', 'gcp-dns'].map((stack) => [stack, 'gcp-foundation']),
    ] as const) {
      expect(position(downstream), `${downstream} before ${upstream}`).toBeLessThan(position(upstream));
    }
    expect(['dev-foundation', 'dev-gcp-foundation']).toContain(summary.stacks.at(-1)?.id);
    expect(new Set(summary.stacks.map((entry) => entry.status))).toEqual(new Set(['destroyed']));
    for (const stack of STACKS) {
      const state = JSON.parse(readFileSync(join(dir, `terraform.dev-${stack}.tfstate`), 'utf8')) as TerraformState;
      expect(state.resources?.filter((resource) => resource.mode === 'managed'), stack).toEqual([]);
    }
  });
});
