import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanJson } from '../plan.js';
import { upsertComment } from './github.js';
import { COMMENT_MARKER, cutText, GITHUB_COMMENT_LIMIT, renderPlanComment, shareBudget } from './render.js';

/**
 * The pull-request comment, rendered from real plan JSON: Terraform plans `terraform_data`
 * configurations (no provider download) in temporary folders and `terraform show -json` reads
 * them, as the diff target does.
 */
const scratch = mkdtempSync(join(tmpdir(), 'docflow-comment-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const PASSWORD = 'plain-text-password-1234';

function terraform(dir: string, args: string[]): string {
  const result = spawnSync('terraform', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, TF_IN_AUTOMATION: '1' }, maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0 && !(args[0] === 'plan' && result.status === 2)) throw new Error(`terraform ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** Applies `before`, then plans `after` on the same state; the plan's JSON. */
function realPlan(name: string, before: object | undefined, after: object): PlanJson {
  const dir = join(scratch, name);
  spawnSync('mkdir', ['-p', dir]);
  terraform(dir, ['init', '-input=false', '-no-color']);
  if (before) {
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(before));
    terraform(dir, ['apply', '-input=false', '-auto-approve', '-no-color']);
  }
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(after));
  terraform(dir, ['plan', '-input=false', '-no-color', '-out=plan.tfplan', '-detailed-exitcode']);
  return JSON.parse(terraform(dir, ['show', '-json', 'plan.tfplan'])) as PlanJson;
}

const containerDefinitions = (image: string) =>
  JSON.stringify([{ name: 'api', image, environment: [{ name: 'DB_PASSWORD', value: PASSWORD }, { name: 'PORT', value: '8080' }] }]);

let servicePlan: PlanJson;
let unchangedPlan: PlanJson;
let hugePlan: PlanJson;

beforeAll(() => {
  const service = (image: string, revision: string) => ({
    resource: {
      terraform_data: {
        Task: { input: { container_definitions: containerDefinitions(image), family: 'docflow-staging-api' } },
        Cluster: { input: { name: 'docflow-staging' }, triggers_replace: { revision } },
        ...(revision === '1' ? { Old: { input: { name: 'retired' } } } : { New: { input: { connection: `postgres://app:${PASSWORD}@db:5432/docflow` } } }),
      },
    },
    output: { url: { value: `https://${revision}.example` } },
  });
  servicePlan = realPlan('service', service('docflow-staging-api:aaa', '1'), service('docflow-staging-api:bbb', '2'));
  unchangedPlan = realPlan('unchanged', { resource: { terraform_data: { Same: { input: 'x' } } } }, { resource: { terraform_data: { Same: { input: 'x' } } } });
  hugePlan = realPlan('huge', undefined, { resource: { terraform_data: { Many: { count: 1200, input: { text: 'lorem ipsum dolor sit amet '.repeat(3) } } } } });
}, 180_000);

describe('renderPlanComment (real plan JSON)', () => {
  it('puts the counts first, one row per stack, and calls out replacements and destroys', () => {
    const comment = renderPlanComment(
      [
        { id: 'staging-network', plan: unchangedPlan },
        { id: 'staging-api', plan: servicePlan },
        { id: 'staging-worker', error: 'staging-worker: terraform plan failed' },
      ],
      { env: 'staging' },
    );
    if (process.env['SHOW_COMMENT']) console.log(comment);
    expect(comment.startsWith(`${COMMENT_MARKER}\n## docflow plan: staging\n`)).toBe(true);
    expect(comment).toContain('**3 stacks** (1 with changes, 1 without a plan) · **2** to add · **1** to change · **2** to destroy · **1** to replace');
    expect(comment).toContain('> - `staging-api` replaces `terraform_data.Cluster`');
    expect(comment).toContain('> - `staging-api` destroys `terraform_data.Old`');
    expect(comment).toContain('| `staging-network` | no changes | 0 | 0 | 0 | 0 |');
    expect(comment).toContain('| `staging-api` | :warning: destroys or replaces | 2 | 1 | 2 | 1 |');
    expect(comment).toContain('| `staging-worker` | :x: no plan | 0 | 0 | 0 | 0 |');
    expect(comment).toContain('<details><summary><code>staging-api</code>: 2 to add, 1 to change, 2 to destroy (1 replaced)</summary>');
    expect(comment).toContain('-/+ terraform_data.Cluster will be replaced');
    expect(comment).toContain('~ terraform_data.Task will be updated in place');
    expect(comment).toContain('Plan: 2 to add, 1 to change, 2 to destroy (1 replaced).\n```\n</details>');
    // the unchanged stack has a row but no folded plan
    expect(comment).not.toContain('<code>staging-network</code>');
  });

  it('masks secrets, including environment values inside container_definitions and connection strings', () => {
    const comment = renderPlanComment([{ id: 'staging-api', plan: servicePlan }], { env: 'staging' });
    expect(comment).not.toContain(PASSWORD);
    expect(comment).toContain('\\"name\\":\\"DB_PASSWORD\\",\\"value\\":\\"(masked)\\"');
    expect(comment).toContain('docflow-staging-api:bbb'); // the rest stays readable
  });

  it('stays under GitHub\'s limit with a huge plan, keeping the tail (summary) of every plan', () => {
    const comment = renderPlanComment(
      [
        { id: 'staging-api', plan: servicePlan },
        { id: 'staging-data', plan: hugePlan },
      ],
      { env: 'staging' },
    );
    expect(comment.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(comment).toMatch(/… \d+ lines above cut to fit the comment …/);
    expect(comment).toContain('Plan: 1200 to add, 0 to change, 0 to destroy.\n```\n</details>');
    // the small plan fits whole beside the huge one
    expect(comment).toContain('-/+ terraform_data.Cluster will be replaced');
  });

  it('gives extra sections (policy, cost, config diff) a place and a share of the same budget', () => {
    const policy = { title: 'Policy', headline: '1 violation', markdown: `| rule | stack |\n|---|---|\n${'| CKV_AWS_17 | staging-data |\n'.repeat(5000)}` };
    const cost = { title: 'Cost', headline: '+12.40 USD/month', markdown: 'staging: 250.10 USD/month (+12.40)' };
    const comment = renderPlanComment([{ id: 'staging-data', plan: hugePlan }], { env: 'staging', sections: [policy, cost], limit: 30_000 });
    expect(comment.length).toBeLessThanOrEqual(30_000);
    expect(comment).toContain('**Policy**: 1 violation\n**Cost**: +12.40 USD/month');
    expect(comment).toContain('### Policy\n\n| rule | stack |');
    expect(comment).toContain('### Cost\n\nstaging: 250.10 USD/month (+12.40)');
    expect(comment).toMatch(/… \d+ lines below cut to fit the comment …/);
    expect(comment).toContain('Plan: 1200 to add, 0 to change, 0 to destroy.');
  });
});

describe('budget helpers', () => {
  it('share: small blocks keep all they need, the rest splits what is left', () => {
    expect(shareBudget([100, 50_000, 50_000], 10_100)).toEqual([100, 5_000, 5_000]);
    expect(shareBudget([10, 20], 1_000)).toEqual([10, 20]);
  });

  it('cut: whole lines, from the end or the start, with a notice', () => {
    const text = Array.from({ length: 100 }, (_, index) => `line ${index}`).join('\n');
    const tail = cutText(text, 200, 'tail');
    expect(tail.length).toBeLessThanOrEqual(200);
    expect(tail.endsWith('line 99')).toBe(true);
    expect(tail.startsWith('… ')).toBe(true);
    expect(cutText(text, 200, 'head').startsWith('line 0\n')).toBe(true);
  });
});

describe('upsertComment against a stand-in GitHub API (no GitHub here)', () => {
  let server: Server;
  let apiUrl = '';
  const comments: { id: number; body: string }[] = [{ id: 1, body: 'a human comment' }];
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        requests.push(`${request.method} ${request.url} ${request.headers.authorization}`);
        const send = (status: number, value: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        if (request.method === 'GET' && request.url?.startsWith('/repos/acme/docflow/issues/7/comments')) return send(200, request.url.includes('page=1') ? comments : []);
        if (request.method === 'POST' && request.url === '/repos/acme/docflow/issues/7/comments') {
          const created = { id: comments.length + 1, body: (JSON.parse(body) as { body: string }).body };
          comments.push(created);
          return send(201, created);
        }
        const patch = /^\/repos\/acme\/docflow\/issues\/comments\/(\d+)$/.exec(request.url ?? '');
        if (request.method === 'PATCH' && patch) {
          const comment = comments.find((candidate) => candidate.id === Number(patch[1]));
          if (comment) comment.body = (JSON.parse(body) as { body: string }).body;
          return send(200, comment);
        }
        return send(404, { message: 'Not Found' });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('creates the comment once, then finds it by its marker and updates it in place', async () => {
    const target = { repository: 'acme/docflow', issue: 7, token: 'test-token', apiUrl };
    const first = await upsertComment(target, renderPlanComment([{ id: 'staging-api', plan: servicePlan }], { env: 'staging' }));
    const second = await upsertComment(target, renderPlanComment([{ id: 'staging-api', plan: unchangedPlan }], { env: 'staging' }));
    expect(first).toEqual({ action: 'created', id: 2 });
    expect(second).toEqual({ action: 'updated', id: 2 });
    expect(comments).toHaveLength(2);
    expect(comments[0]).toEqual({ id: 1, body: 'a human comment' });
    expect(comments[1]?.body).toContain('**1 stack** (0 with changes)');
    expect(requests.every((line) => line.endsWith('Bearer test-token'))).toBe(true);
  });
});
