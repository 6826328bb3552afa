import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkNodeModules } from '@docflow/guardrails';

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PASSWORD = 'tr0ub4dor-and-3-never-printed';
/** What git ignores (.gitignore): build output, caches, local data; the copy gets this checkout's node_modules linked. */
const NOT_COPIED = new Set(['.git', 'node_modules', 'dist', 'out-tsc', 'coverage', '.nx', '.docflow', '.docflow-bench', 'cdktf.out', '.terraform', '.gen']);

async function runIn(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd, env: { ...process.env, FORCE_COLOR: '0', ...env }, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * The bad change made the way a developer makes it: a password written into the worker's
 * environment in libs/infra (a copy of this working tree, with this checkout's node_modules and the
 * copy's own workspace packages, as `config-diff` synthesizes a ref). The container construct refuses
 * it at synth; `npm run synth` and `npm run policy` then say so in one line naming the variable, the
 * policy rule, the environment and the stack, without the password and without a stack trace.
 */
describe('GIVEN a password added to the worker environment in source (libs/infra/src/worker/worker.ts)', () => {
  const copy = join(mkdtempSync(join(tmpdir(), 'docflow-source-change-')), 'checkout');
  beforeAll(() => {
    cpSync(workspaceRoot, copy, { recursive: true, filter: (source) => !NOT_COPIED.has(basename(source)) });
    linkNodeModules(join(workspaceRoot, 'node_modules'), copy);
    const file = join(copy, 'libs', 'infra', 'src', 'worker', 'worker.ts');
    const source = readFileSync(file, 'utf8');
    const changed = source.replace(/^( +environment: \{)$/m, `$1\n        DB_PASSWORD: '${PASSWORD}',`);
    expect(changed).not.toBe(source);
    writeFileSync(file, changed);
  });
  afterAll(() => rmSync(dirname(copy), { recursive: true, force: true }));

  const expected =
    'synth: dev-worker (environment dev, stack worker): Container "worker": environment variable "DB_PASSWORD" looks like a secret; pass it in secrets (DOCFLOW_CONTAINER_SECRETS)';

  it('WHEN npm run synth THEN exit 1 with one line naming the stack, the variable and the rule, no stack trace, no password', async () => {
    const result = await runIn(copy, ['stacks/synth.mjs'], { DOCFLOW_ENVIRONMENTS: 'dev', CDKTF_OUTDIR: join(dirname(copy), 'out') });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${expected}\n`);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });

  it('WHEN npm run policy THEN exit 1 and the same line after the synthesis failure, no stack trace, no password', async () => {
    const result = await runIn(copy, ['--import', 'tsx', 'libs/guardrails/src/cli/main.ts', 'policy', '--env', 'dev']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`guardrails: synthesizing the working tree failed (\`node stacks/synth.mjs\` exited 1):\n${expected}\n`);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });
});
