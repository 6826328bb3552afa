import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TerraformJson } from '../terraform-json.js';

/**
 * A real git repository shaped like docflow, small enough for a test: a workspace package
 * (`@docflow/fixture-stacks`, under libs/) that describes the stacks, a cdktf.json whose `app`
 * writes them as cdktf would (manifest and cdk.tf.json per stack), and a node_modules with the
 * workspace package linked the way npm links it and one third-party package. Each commit changes
 * what the workspace package says, so a ref synthesizes differently from the working tree.
 */
export interface FixtureRepo {
  readonly root: string;
  /** Writes the stacks the workspace package describes and commits them; returns the commit. */
  commit(stacks: Record<string, TerraformJson>, message: string): string;
  /** Changes the working tree without committing. */
  write(stacks: Record<string, TerraformJson>): void;
  git(...args: string[]): string;
  remove(): void;
}

const SYNTH = `import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stacks } from '@docflow/fixture-stacks';
import { marker } from 'third-party-marker';
if (process.env.FIXTURE_FAIL_SYNTH) { console.error('the fixture app refuses to synthesize'); process.exit(3); }
// an uncaught error thrown deep in the app, as a construct's refusal is: Node prints the source line, the message and ten stack frames
const refuse = (depth) => { if (depth === 0) throw new Error(process.env.FIXTURE_THROW_SYNTH); refuse(depth - 1); };
if (process.env.FIXTURE_THROW_SYNTH) refuse(20);
if (process.env.FIXTURE_SLOW_SYNTH) await new Promise((resolve) => setTimeout(resolve, 60000));
const out = process.env.CDKTF_OUTDIR || 'cdktf.out';
const wanted = (process.env.DOCFLOW_ENVIRONMENTS || '').split(',').filter(Boolean);
const manifest = { stacks: {} };
for (const [id, json] of Object.entries(stacks)) {
  if (wanted.length && !wanted.includes(id.split('-')[0])) continue;
  mkdirSync(join(out, 'stacks', id), { recursive: true });
  writeFileSync(join(out, 'stacks', id, 'cdk.tf.json'), JSON.stringify({ ...json, '//': { marker } }));
  manifest.stacks[id] = { synthesizedStackPath: 'stacks/' + id + '/cdk.tf.json' };
}
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest));
`;

export function createFixtureRepo(): FixtureRepo {
  const root = mkdtempSync(join(tmpdir(), 'guardrails-repo-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const write = (stacks: Record<string, TerraformJson>) => writeFileSync(join(root, 'libs', 'fixture-stacks', 'index.js'), `export const stacks = ${JSON.stringify(stacks, null, 2)};\n`);
  mkdirSync(join(root, 'libs', 'fixture-stacks'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'fixture', private: true, type: 'module', workspaces: ['libs/*'] }));
  writeFileSync(join(root, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'node synth.mjs', output: 'cdktf.out' }));
  writeFileSync(join(root, 'synth.mjs'), SYNTH);
  writeFileSync(join(root, 'libs', 'fixture-stacks', 'package.json'), JSON.stringify({ name: '@docflow/fixture-stacks', type: 'module', exports: './index.js' }));
  writeFileSync(join(root, '.gitignore'), 'node_modules\ncdktf.out\n');
  // node_modules as npm lays it out: the workspace package linked, a third-party package installed
  mkdirSync(join(root, 'node_modules', '@docflow'), { recursive: true });
  symlinkSync('../../libs/fixture-stacks', join(root, 'node_modules', '@docflow', 'fixture-stacks'));
  mkdirSync(join(root, 'node_modules', 'third-party-marker'));
  writeFileSync(join(root, 'node_modules', 'third-party-marker', 'package.json'), JSON.stringify({ name: 'third-party-marker', type: 'module', exports: './index.js' }));
  writeFileSync(join(root, 'node_modules', 'third-party-marker', 'index.js'), "export const marker = 'from this checkout';\n");
  git('init', '--quiet', '--initial-branch=main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'test');
  return {
    root,
    git,
    write,
    commit(stacks, message) {
      write(stacks);
      git('add', '-A');
      git('commit', '--quiet', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A stack as the fixture app writes it: the aws provider with docflow's tags, in eu-west-1. */
export function fixtureStack(env: string, stack: string, resource: TerraformJson['resource']): TerraformJson {
  return { provider: { aws: [{ region: 'eu-west-1', default_tags: [{ tags: { project: 'docflow', env, stack, profile: 'standard' } }] }] }, resource };
}
