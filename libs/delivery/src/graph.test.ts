import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployableFiles, nxTaskGraph, runStacks, summarizeTasks, targetGraph, type TargetGraph, type TaskGraphFile } from './run.js';
import type { StackResult } from './stack-ops.js';

/**
 * Graph truths, asked of Nx itself (`--graph=<file>`, `show projects --affected`): nothing is
 * deployed, nothing re-implements the graph. Environment "dev" unless a test says otherwise.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const AWS_STACKS = ['foundation', 'network', 'data', 'platform', 'api', 'ingest', 'worker', 'observability'];
const GCP_STACKS = ['gcp-foundation', 'gcp-registry', 'gcp-archive', 'gcp-dns', 'gcp-export'];
const STACKS = [...AWS_STACKS, ...GCP_STACKS];
const SERVICES = ['api', 'ingest', 'worker'];
const task = (stack: string, target = 'deploy', env = 'dev') => `stack-${stack}:${target}:${env}`;
const waits = (graph: TargetGraph, later: string, earlier: string) => graph.waitsFor.get(later)?.has(earlier) ?? false;

function affectedProjects(file: string): string[] {
  const result = spawnSync(process.execPath, [join(root, 'node_modules', '.bin', 'nx'), 'show', 'projects', '--affected', `--files=${file}`, '--json'], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false' },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as string[]).sort();
}

const NX_TIMEOUT = 180_000;

describe('the deploy task graph (nx run-many -t deploy -c dev --graph)', { timeout: NX_TIMEOUT }, () => {
  let raw: TaskGraphFile;
  let deploy: TargetGraph;
  let image: TargetGraph;
  beforeAll(() => {
    raw = nxTaskGraph(['run-many', '-t', 'deploy', '-c', 'dev'], root);
    deploy = targetGraph(raw, 'deploy');
    image = targetGraph(raw, 'image');
  });
  /** Every task `id` waits for (directly or not), image and synth tasks included. */
  const prerequisites = (id: string): string[] => {
    const seen = new Set<string>();
    const visit = (current: string) => {
      for (const dependency of raw.tasks.dependencies[current] ?? []) {
        const next = typeof dependency === 'string' ? dependency : dependency.id;
        if (seen.has(next)) continue;
        seen.add(next);
        visit(next);
      }
    };
    visit(id);
    return [...seen];
  };

  it('holds a deploy task for every stack, configured for dev', () => {
    expect([...deploy.order].sort()).toEqual(STACKS.map((stack) => task(stack)).sort());
  });

  it('orders foundation -> network -> data and platform -> api, ingest, worker -> observability, the worker after the api', () => {
    for (const stack of AWS_STACKS.filter((name) => name !== 'foundation')) expect(waits(deploy, task(stack), task('foundation')), stack).toBe(true);
    expect(waits(deploy, task('data'), task('network'))).toBe(true);
    expect(waits(deploy, task('platform'), task('network'))).toBe(true);
    for (const service of SERVICES) {
      expect(waits(deploy, task(service), task('data')), service).toBe(true);
      expect(waits(deploy, task(service), task('platform')), service).toBe(true);
      expect(waits(deploy, task('observability'), task(service)), service).toBe(true);
    }
    // independent stacks stay independent (so Nx may run them in parallel)
    expect(waits(deploy, task('data'), task('platform')) || waits(deploy, task('platform'), task('data'))).toBe(false);
    expect(waits(deploy, task('ingest'), task('api')) || waits(deploy, task('api'), task('ingest'))).toBe(false);
    expect(waits(deploy, task('ingest'), task('worker')) || waits(deploy, task('worker'), task('ingest'))).toBe(false);
    // the api stack's deploy runs the migrations (db-admin setup): the worker's never starts before it ends
    expect(waits(deploy, task('worker'), task('api'))).toBe(true);
    expect(waits(deploy, task('api'), task('worker'))).toBe(false);
    expect(deploy.order.indexOf(task('worker'))).toBeGreaterThan(deploy.order.indexOf(task('api')));
  });

  it("makes a single stack's deploy bring the stacks it waits for: the worker's brings the api's and the api image", () => {
    const worker = nxTaskGraph(['run', 'stack-worker:deploy:dev'], root);
    expect(targetGraph(worker, 'deploy').waitsFor.get(task('worker'))).toContain(task('api'));
    expect(Object.keys(worker.tasks.tasks)).toEqual(expect.arrayContaining(['api:image:dev', 'worker:image:dev']));
  });

  it('orders the GCP stacks gcp-foundation -> gcp-registry, gcp-archive, gcp-dns; registry and archive -> gcp-export, apart from the AWS stacks', () => {
    for (const stack of GCP_STACKS.filter((name) => name !== 'gcp-foundation')) expect(waits(deploy, task(stack), task('gcp-foundation')), stack).toBe(true);
    expect(waits(deploy, task('gcp-export'), task('gcp-registry'))).toBe(true);
    expect(waits(deploy, task('gcp-export'), task('gcp-archive'))).toBe(true);
    expect(waits(deploy, task('gcp-export'), task('gcp-dns'))).toBe(false);
    // neither cloud waits for the other: they share the environment table, not state
    for (const gcp of GCP_STACKS) for (const aws of AWS_STACKS) expect(waits(deploy, task(gcp), task(aws)) || waits(deploy, task(aws), task(gcp)), `${gcp} / ${aws}`).toBe(false);
  });

  it("puts each app's image before its service stack (the exporter's before gcp-export), and no image before the stacks that run none", () => {
    for (const service of SERVICES) expect(prerequisites(task(service)), service).toContain(`${service}:image:dev`);
    expect(prerequisites(task('gcp-export'))).toContain('exporter:image:dev');
    expect(prerequisites(task('gcp-export')).filter((id) => id.includes(':image:'))).toEqual(['exporter:image:dev']);
    for (const stack of ['foundation', 'network', 'data', 'platform', 'gcp-foundation', 'gcp-registry', 'gcp-archive', 'gcp-dns']) {
      expect(prerequisites(task(stack)).filter((id) => id.includes(':image:')), stack).toEqual([]);
    }
    expect([...image.order].sort()).toEqual([...SERVICES, 'exporter'].map((app) => `${app}:image:dev`).sort());
  });

  it('GIVEN a failed foundation and no other result THEN the stacks waiting for it are skipped, and a stack that waits for nothing failed and reported nothing is failed', () => {
    const failed: StackResult = { id: 'dev-foundation', action: 'deploy', outcome: 'failed', seconds: 1, message: 'dev-foundation: terraform apply failed' };
    const entries = summarizeTasks(deploy, new Map([['stack-foundation', failed]]), 'dev');
    const byId = new Map(entries.map((entry) => [entry.id, entry]));
    expect(byId.get('dev-foundation')).toMatchObject({ status: 'failed', result: failed });
    for (const stack of AWS_STACKS.slice(1)) expect(byId.get(`dev-${stack}`), stack).toMatchObject({ status: 'skipped', note: 'not run: dev-foundation failed' });
    // the GCP foundation waits for nothing that failed: its missing result is a failure of its own
    expect(byId.get('dev-gcp-foundation')).toMatchObject({
      status: 'failed',
      note: 'stack-gcp-foundation:deploy:dev reported no result: it stopped before it could, or a task it needs (synth, build, image) failed; the Nx output says which',
    });
    for (const stack of GCP_STACKS.slice(1)) expect(byId.get(`dev-${stack}`), stack).toMatchObject({ status: 'skipped', note: 'not run: dev-gcp-foundation failed' });
  });

  it('destroys in the exact reverse order', () => {
    const destroy = targetGraph(nxTaskGraph(['run-many', '-t', 'destroy', '-c', 'dev'], root), 'destroy');
    const name = (id: string) => id.split(':')[0];
    const deployEdges = [...deploy.waitsFor].flatMap(([later, earlier]) => [...earlier].map((before) => `${name(before)} <- ${name(later)}`)).sort();
    const destroyEdges = [...destroy.waitsFor].flatMap(([later, earlier]) => [...earlier].map((before) => `${name(later)} <- ${name(before)}`)).sort();
    expect(destroyEdges).toEqual(deployEdges);
    // each foundation goes last in its cloud
    for (const stack of AWS_STACKS.slice(1)) expect(destroy.waitsFor.get(task('foundation', 'destroy')), stack).toContain(task(stack, 'destroy'));
    for (const stack of GCP_STACKS.slice(1)) expect(destroy.waitsFor.get(task('gcp-foundation', 'destroy')), stack).toContain(task(stack, 'destroy'));
  });
});

describe('what a change affects (nx affected)', { timeout: NX_TIMEOUT }, () => {
  it('GIVEN an edit in libs/db THEN api, worker and their stacks are affected, not network, data, platform or foundation', () => {
    const projects = affectedProjects('libs/db/src/pool.ts');
    expect(projects).toEqual(expect.arrayContaining(['api', 'worker', 'stack-api', 'stack-worker']));
    for (const stack of ['stack-network', 'stack-data', 'stack-platform', 'stack-foundation', 'stack-ingest']) expect(projects).not.toContain(stack);
  });

  it('GIVEN an edit in libs/db (say, a migration the worker needs) THEN the affected deploy runs the api stack (which migrates) before the worker stack', () => {
    const affected = targetGraph(nxTaskGraph(['affected', '--files=libs/db/src/pool.ts', '-t', 'deploy', '-c', 'prod'], root), 'deploy');
    expect(affected.order).toEqual(expect.arrayContaining([task('api', 'deploy', 'prod'), task('worker', 'deploy', 'prod')]));
    expect(waits(affected, task('worker', 'deploy', 'prod'), task('api', 'deploy', 'prod'))).toBe(true);
    expect(affected.order.indexOf(task('worker', 'deploy', 'prod'))).toBeGreaterThan(affected.order.indexOf(task('api', 'deploy', 'prod')));
  });

  it('GIVEN an edit in the api app only THEN the worker stack is affected too (it deploys after the api stack; its plan shows no change)', () => {
    expect(affectedProjects('apps/api/src/app.ts')).toEqual(expect.arrayContaining(['stack-api', 'stack-worker']));
    expect(affectedProjects('apps/worker/src/main.ts')).not.toContain('stack-api');
  });

  it('GIVEN an edit in the exporter THEN its GCP stack is affected and no AWS stack; an edit in an AWS stack reaches no GCP stack', () => {
    const exporter = affectedProjects('apps/exporter/src/export.ts');
    expect(exporter.filter((project) => project.startsWith('stack-'))).toEqual(['stack-gcp-export']);
    const network = affectedProjects('stacks/network/src/network-stack.ts');
    expect(network.filter((project) => project.startsWith('stack-gcp-'))).toEqual([]);
    const gcpConstructs = affectedProjects('libs/infra-gcp/src/bucket.ts');
    expect(gcpConstructs.filter((project) => project.startsWith('stack-')).sort()).toEqual(GCP_STACKS.map((stack) => `stack-${stack}`).sort());
  });

  it('GIVEN an edit in stacks/network THEN every downstream stack of every environment deploys, in the same order as run-many', () => {
    const full = targetGraph(nxTaskGraph(['run-many', '-t', 'deploy', '-c', 'prod'], root), 'deploy');
    const affected = targetGraph(nxTaskGraph(['affected', '--files=stacks/network/src/network-stack.ts', '-t', 'deploy', '-c', 'prod'], root), 'deploy');
    for (const stack of ['network', 'data', 'platform', ...SERVICES, 'observability']) expect(affected.order, stack).toContain(task(stack, 'deploy', 'prod'));
    // the same ordering for every pair of stacks both runs include
    for (const later of affected.order) {
      for (const earlier of affected.order) expect(waits(affected, later, earlier), `${later} after ${earlier}`).toBe(waits(full, later, earlier));
    }
    expect(affectedProjects('stacks/network/src/network-stack.ts')).not.toContain('stack-foundation');
  });

  it('GIVEN only a README or test files changed THEN no stack is affected (only production inputs reach the stacks)', () => {
    const files = ['README.md', 'libs/db/README.md', 'libs/db/src/pool.test.ts', 'stacks/network/src/network-stack.test.ts', 'stacks/src/__snapshots__/dev.json'];
    expect(deployableFiles(files, root)).toEqual([]);
    expect(runStacks({ action: 'deploy', env: 'dev', scope: { kind: 'affected', files }, root })).toEqual({
      action: 'deploy',
      env: 'dev',
      stacks: [],
      ok: true,
      note: 'no changed file is a production input: nothing to do',
    });
    expect(deployableFiles(['libs/db/src/pool.ts', 'README.md'], root)).toEqual(['libs/db/src/pool.ts']);
  });
});
