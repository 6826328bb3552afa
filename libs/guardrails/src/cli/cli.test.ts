import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { TerraformJson } from '../terraform-json.js';
import { RULES } from '../policy/rules/index.js';
import { createFixtureRepo, fixtureStack } from '../testing/fixture-repo.js';

/**
 * The CLI as users run it (`npm run policy -- --dir ...` is this command): a real process over a
 * cdktf.out folder written here, checked for its output and exit code.
 */
const MAIN = join(import.meta.dirname, 'main.ts');
// by path, so that the CLI also runs from a folder without tsx (the fixture repository)
const TSX = createRequire(import.meta.url).resolve('tsx');
const SECRET = 'p4ssw0rd-that-must-never-print';
const root = mkdtempSync(join(tmpdir(), 'guardrails-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function cdktfOut(name: string, stacks: Record<string, TerraformJson>): string {
  const dir = join(root, name);
  for (const [id, json] of Object.entries(stacks)) {
    mkdirSync(join(dir, 'stacks', id), { recursive: true });
    writeFileSync(join(dir, 'stacks', id, 'cdk.tf.json'), JSON.stringify(json));
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ stacks: Object.fromEntries(Object.keys(stacks).map((id) => [id, { synthesizedStackPath: `stacks/${id}/cdk.tf.json` }])) }));
  return dir;
}

const provider = (env: string, stack: string) => ({ aws: [{ region: 'eu-west-1', default_tags: [{ tags: { project: 'docflow', env, stack, profile: 'standard' } }] }] });
function dataStack(env: string, overrides: Record<string, unknown> = {}): TerraformJson {
  return {
    provider: provider(env, 'data'),
    resource: {
      aws_db_instance: {
        Db: {
          '//': { metadata: { path: `${env}-data/Data/Database/Instance` } },
          engine: 'postgres',
          engine_version: '17',
          storage_encrypted: true,
          deletion_protection: true,
          multi_az: true,
          iam_database_authentication_enabled: true,
          enabled_cloudwatch_logs_exports: ['postgresql'],
          ...overrides,
        },
      },
    },
  };
}
function workerStack(env: string, environment: { name: string; value: string }[]): TerraformJson {
  const container = { name: 'worker', readonlyRootFilesystem: true, environment };
  return { provider: provider(env, 'worker'), resource: { aws_ecs_task_definition: { Task: { container_definitions: JSON.stringify([container]), execution_role_arn: 'a', task_role_arn: 'b' } } } };
}

// the worker's container names no database (DOCFLOW_DB_CONNECTION would want the whole login set-up)
const clean = cdktfOut('clean', { 'prod-data': dataStack('prod'), 'prod-worker': workerStack('prod', [{ name: 'DOCFLOW_BUCKET', value: 'docs' }]) });
const bad = cdktfOut('bad', {
  'prod-data': dataStack('prod', { publicly_accessible: true }),
  'prod-worker': workerStack('prod', [{ name: 'DB_PASSWORD', value: SECRET }]),
});

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runIn(process.cwd(), ...args);
}

async function runIn(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runWith({}, cwd, ...args);
}

async function runWith(env: NodeJS.ProcessEnv, cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, env: { ...process.env, FORCE_COLOR: '0', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('guardrails policy', () => {
  it('GIVEN clean stacks THEN exit 0 and the counts come first', async () => {
    const result = await run('policy', '--dir', clean);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(new RegExp(`^docflow policy: ${RULES.length} rules over 2 stacks of prod: \\d+ verdicts, \\d+ passed, 0 waived, 0 failed, 0 unknown$`));
  });

  it('GIVEN a public database and a password in a container THEN exit 2, each named by rule, environment, stack, resource and construct, and the password is not printed', async () => {
    const result = await run('policy', '--dir', bad);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('FAIL CKV_AWS_17  prod / data  aws_db_instance.Db  (prod-data/Data/Database/Instance)');
    expect(result.stdout).toContain('publicly_accessible is true');
    expect(result.stdout).toContain('FAIL DOCFLOW_CONTAINER_SECRETS  prod / worker  aws_ecs_task_definition.Task');
    expect(result.stdout).toContain('environment variable DB_PASSWORD looks like a secret');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it('GIVEN --json THEN the same facts, parseable, without the password', async () => {
    const result = await run('policy', '--dir', bad, '--json');
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ command: 'policy', environments: ['prod'], summary: { failed: 2, stacks: 2, rules: RULES.length } });
    expect(report.blocking.map((finding: { rule: string; env: string; stack: string }) => `${finding.rule} ${finding.env} ${finding.stack}`)).toEqual([
      'CKV_AWS_17 prod data',
      'DOCFLOW_CONTAINER_SECRETS prod worker',
    ]);
    expect(result.stdout).not.toContain(SECRET);
  });

  it('GIVEN --markdown THEN the pull-request section', async () => {
    const result = await run('policy', '--dir', bad, '--markdown');
    expect(result.stdout).toMatch(new RegExp(`^\\*\\*❌ 2 blocking findings\\*\\*: ${RULES.length} rules over 2 stacks of prod: \\d+ verdicts, \\d+ passed, 0 waived, 2 failed, 0 unknown\\.\\n`));
    expect(result.stdout).toContain('| fail | CKV_AWS_17 | prod | data | `aws_db_instance.Db` | publicly_accessible is true: the database gets a public address |');
  });

  it('GIVEN a user mistake THEN one line on stderr and exit 1, never a stack trace', async () => {
    const missing = await run('policy', '--dir', join(root, 'nothing-here'));
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^guardrails: no synthesized stacks in .*nothing-here \(no manifest\.json\): run `npm run synth` first, or pass --dir\n$/);
    expect(await run('policy', '--dir', clean, '--env', 'qa')).toMatchObject({ code: 1, stderr: 'guardrails: unknown environment "qa": the synthesized app has prod\n' });
    expect(await run('deploy')).toMatchObject({ code: 1, stderr: 'guardrails: unknown command "deploy": use one of policy, cost, config-diff (see --help)\n' });
    expect(await run('policy', '--compare', 'main')).toMatchObject({ code: 1, stderr: 'guardrails: --compare belongs to cost, not policy\n' });
    expect(await run('cost', '--base', 'main')).toMatchObject({ code: 1, stderr: 'guardrails: --base belongs to config-diff, not cost\n' });
    expect((await run('policy', '--frobnicate')).stderr).toMatch(/^guardrails: Unknown option '--frobnicate'/);
  });

  describe('GIVEN a working tree whose app throws while synthesizing (a construct refusing a secret)', () => {
    const repo = createFixtureRepo();
    repo.commit({ 'prod-data': dataStack('prod') }, 'main');
    afterAll(() => repo.remove());

    it('THEN exit 1 with the error line, not the source line, stack frames or Node version that follow it', async () => {
      const refusal = 'Container "worker": environment variable "DB_PASSWORD" looks like a secret; pass it in secrets';
      const result = await runWith({ FIXTURE_THROW_SYNTH: refusal }, repo.root, 'policy');
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).toBe(`guardrails: synthesizing the working tree failed (\`node synth.mjs\` exited 1):\nError: ${refusal}\n`);
    });
  });

  it('GIVEN --help THEN usage with an example, exit 0', async () => {
    const result = await run('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('npm run policy -- --env prod --json');
  });
});

describe('guardrails cost', () => {
  const network = cdktfOut('network', { 'prod-network': fixtureStack('prod', 'network', { aws_nat_gateway: { A: {} }, aws_eip: { A: {} }, aws_instance: { Bastion: {} } }) });

  it('GIVEN synthesized stacks THEN a table per environment and stack, the line items, and what is unpriced', async () => {
    const result = await run('cost', '--dir', network);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('docflow cost: monthly estimate in USD from eu-west-1 list prices (eu-central-1 for what is billed there) taken 2026-11-30 and the usage in libs/guardrails/src/cost/usage.ts');
    expect(lines).toContain('prod (standard): 40.13 USD a month');
    expect(result.stdout).toMatch(/^prod +standard +40\.13 +1$/m);
    expect(result.stdout).toMatch(/^network +NAT gateway +730 hours +0\.048 +config +35\.04$/m);
    expect(result.stdout).toContain('network  aws_instance.Bastion: no price for aws_instance in the cost model');
  });

  it('GIVEN --json THEN the estimate with every line item and the dated price table', async () => {
    const report = JSON.parse((await run('cost', '--dir', network, '--json')).stdout);
    expect(report).toMatchObject({ command: 'cost', currency: 'USD', prices: { region: 'eu-west-1', otherRegions: ['eu-central-1'], takenOn: '2026-11-30' }, environments: [{ env: 'prod', monthlyUsd: 40.13, unpriced: 1 }] });
    expect(report.environments[0].stacks[0].resources[0]).toMatchObject({ address: 'aws_nat_gateway.A', lines: [{ item: 'NAT gateway', quantity: 730, unitUsd: 0.048, monthlyUsd: 35.04, basis: 'config' }, { item: 'NAT gateway data processed', basis: 'usage' }] });
  });

  it('GIVEN --markdown THEN the pull-request section: totals in the heading, each environment folded', async () => {
    const result = await run('cost', '--dir', network, '--markdown');
    expect(result.stdout).toMatch(/^\*\*💰 prod 40\.13 USD a month\*\*: monthly estimate in USD from eu-west-1 list prices \(eu-central-1 for what is billed there\) taken 2026-11-30/);
    expect(result.stdout).toContain('<details><summary>prod (standard): 40.13 USD a month, 1 resource unpriced</summary>');
    expect(result.stdout).toContain('| network | NAT gateway | 730 hours | 0.048 | config | 35.04 |');
  });

  describe('GIVEN a git repository whose working tree adds a NAT gateway to main', () => {
    const repo = createFixtureRepo();
    repo.commit({ 'prod-network': fixtureStack('prod', 'network', { aws_nat_gateway: { A: {} } }) }, 'one NAT gateway');
    repo.write({ 'prod-network': fixtureStack('prod', 'network', { aws_nat_gateway: { A: {}, B: {} } }) });
    afterAll(() => repo.remove());

    it('WHEN --compare main THEN the working tree is synthesized, main too, and the change is shown per environment and line item', async () => {
      const result = await runIn(repo.root, 'cost', '--compare', 'main');
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^prod +standard +71\.52 +36\.48 +\+35\.04 +0$/m);
      expect(result.stdout).toContain('changes against the base (+35.04):');
      expect(result.stdout).toMatch(/^network +aws_nat_gateway\.B: NAT gateway +0\.00 +35\.04 +\+35\.04$/m);
      const json = JSON.parse((await runIn(repo.root, 'cost', '--compare', 'main', '--json')).stdout);
      expect(json.compare).toMatchObject({ ref: 'main', environments: [{ env: 'prod', baseUsd: 36.48, headUsd: 71.52, deltaUsd: 35.04 }] });
    });

    it('WHEN --compare names no ref git knows THEN one line and exit 1', async () => {
      expect(await runIn(repo.root, 'cost', '--compare', 'nope')).toMatchObject({ code: 1, stderr: `guardrails: unknown git ref "nope" in ${repo.root}\n` });
    });
  });
});

describe('guardrails config-diff', () => {
  const PASSWORD = 'hunter2-the-database-password';
  const worker = (environment: { name: string; value: string }[]) =>
    fixtureStack('dev', 'worker', {
      aws_ecs_task_definition: {
        Task: { '//': { metadata: { path: 'dev-worker/Worker/Task/TaskDefinition' } }, family: 'worker', container_definitions: JSON.stringify([{ name: 'worker', environment }]) },
      },
    });
  const data = (visibility: number) => fixtureStack('dev', 'data', { aws_sqs_queue: { Queue: { name: 'documents', visibility_timeout_seconds: visibility } } });
  const repo = createFixtureRepo();
  const main = repo.commit({ 'dev-data': data(720), 'dev-worker': worker([{ name: 'LOG_LEVEL', value: 'info' }]) }, 'main');
  repo.git('checkout', '--quiet', '-b', 'feature');
  repo.commit({ 'dev-data': data(900), 'dev-worker': worker([{ name: 'LOG_LEVEL', value: 'info' }]) }, 'longer visibility timeout');
  repo.write({ 'dev-data': data(900), 'dev-worker': worker([{ name: 'LOG_LEVEL', value: 'debug' }, { name: 'DB_PASSWORD', value: PASSWORD }]) });
  afterAll(() => repo.remove());

  it('GIVEN a branch and an uncommitted change THEN by default the working tree against the merge base with main, attribute by attribute, with the password masked (exit 2)', async () => {
    const result = await runIn(repo.root, 'config-diff');
    expect(result.code).toBe(2);
    expect(result.stdout.split('\n')).toEqual([
      `docflow config-diff: the working tree against merge-base HEAD main (${main.slice(0, 12)}): 2 stacks change; 0 to create, 2 to update, 0 to delete`,
      '',
      'dev-data (dev / data)',
      '  ~ aws_sqs_queue.Queue',
      '    visibility_timeout_seconds: 720 -> 900',
      '',
      'dev-worker (dev / worker)',
      '  ~ aws_ecs_task_definition.Task  (dev-worker/Worker/Task/TaskDefinition)',
      '    container_definitions (JSON)[name=worker].environment[name=LOG_LEVEL].value: "info" -> "debug"',
      '    container_definitions (JSON)[name=worker].environment[name=DB_PASSWORD]: added {"name":"DB_PASSWORD","value":"(masked)"}',
      '',
    ]);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('GIVEN --base HEAD THEN only the uncommitted change; --json and --markdown carry the same facts, masked', async () => {
    const json = JSON.parse((await runIn(repo.root, 'config-diff', '--base', 'HEAD', '--json')).stdout);
    expect(json).toMatchObject({ command: 'config-diff', base: { ref: 'HEAD' }, head: 'the working tree', summary: { stacks: 1, create: 0, update: 1, delete: 0 } });
    expect(json.stacks[0].blocks[0].changes).toEqual([
      { path: 'container_definitions (JSON)[name=worker].environment[name=LOG_LEVEL].value', before: 'info', after: 'debug' },
      { path: 'container_definitions (JSON)[name=worker].environment[name=DB_PASSWORD]', after: { name: 'DB_PASSWORD', value: '(masked)' } },
    ]);
    const markdown = (await runIn(repo.root, 'config-diff', '--base', 'HEAD', '--markdown')).stdout;
    expect(markdown).toMatch(/^\*\*🔀 1 stack: \+0 ~1 -0\*\*: this change against HEAD \([0-9a-f]{12}\): 1 stack change; 0 to create, 1 to update, 0 to delete\.\n/);
    expect(markdown).toContain('@@ aws_ecs_task_definition.Task @@\n-   container_definitions (JSON)[name=worker].environment[name=LOG_LEVEL].value: "info"\n+   container_definitions (JSON)[name=worker].environment[name=LOG_LEVEL].value: "debug"');
    expect(markdown + JSON.stringify(json)).not.toContain(PASSWORD);
  });

  it('GIVEN a ref equal to what is compared THEN no change and exit 0; an unknown ref is one line and exit 1', async () => {
    const dir = cdktfOut('same', { 'dev-data': data(900), 'dev-worker': worker([{ name: 'LOG_LEVEL', value: 'info' }]) });
    const same = await runIn(repo.root, 'config-diff', '--dir', dir, '--base', 'HEAD');
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(new RegExp(`^docflow config-diff: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} against HEAD \\([0-9a-f]{12}\\): no change\n$`));
    expect(await runIn(repo.root, 'config-diff', '--base', 'nope')).toMatchObject({ code: 1, stderr: `guardrails: unknown git ref "nope" in ${repo.root}\n` });
  });
});
