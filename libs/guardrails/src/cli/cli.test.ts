import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { TerraformJson } from '../terraform-json.js';

/**
 * The CLI as users run it (`npm run policy -- --dir ...` is this command): a real process over a
 * cdktf.out folder written here, checked for its output and exit code.
 */
const MAIN = join(import.meta.dirname, 'main.ts');
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

const clean = cdktfOut('clean', { 'prod-data': dataStack('prod'), 'prod-worker': workerStack('prod', [{ name: 'DB_HOST', value: 'db' }]) });
const bad = cdktfOut('bad', {
  'prod-data': dataStack('prod', { publicly_accessible: true }),
  'prod-worker': workerStack('prod', [{ name: 'DB_PASSWORD', value: SECRET }]),
});

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, FORCE_COLOR: '0' } });
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
    expect(result.stdout.split('\n')[0]).toMatch(/^docflow policy: 64 rules over 2 stacks of prod: \d+ verdicts, \d+ passed, 0 waived, 0 failed, 0 unknown$/);
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
    expect(report).toMatchObject({ command: 'policy', environments: ['prod'], summary: { failed: 2, stacks: 2, rules: 64 } });
    expect(report.blocking.map((finding: { rule: string; env: string; stack: string }) => `${finding.rule} ${finding.env} ${finding.stack}`)).toEqual([
      'CKV_AWS_17 prod data',
      'DOCFLOW_CONTAINER_SECRETS prod worker',
    ]);
    expect(result.stdout).not.toContain(SECRET);
  });

  it('GIVEN --markdown THEN the pull-request section', async () => {
    const result = await run('policy', '--dir', bad, '--markdown');
    expect(result.stdout).toMatch(/^### ❌ Policy: 2 blocking findings\n/);
    expect(result.stdout).toContain('| fail | CKV_AWS_17 | prod | data | `aws_db_instance.Db` | publicly_accessible is true: the database gets a public address |');
  });

  it('GIVEN a user mistake THEN one line on stderr and exit 1, never a stack trace', async () => {
    const missing = await run('policy', '--dir', join(root, 'nothing-here'));
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^guardrails: no synthesized stacks in .*nothing-here \(no manifest\.json\): run `npm run synth` first, or pass --dir\n$/);
    expect(await run('policy', '--dir', clean, '--env', 'qa')).toMatchObject({ code: 1, stderr: 'guardrails: unknown environment "qa": the synthesized app has prod\n' });
    expect(await run('deploy')).toMatchObject({ code: 1, stderr: 'guardrails: unknown command "deploy": use one of policy (see --help)\n' });
    expect((await run('policy', '--frobnicate')).stderr).toMatch(/^guardrails: Unknown option '--frobnicate'/);
  });

  it('GIVEN --help THEN usage with an example, exit 0', async () => {
    const result = await run('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('npm run policy -- --env prod --json');
  });
});
