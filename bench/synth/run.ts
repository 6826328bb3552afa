/**
 * Benchmark (not a test): the wall time to synthesize every stack of every environment, next to its
 * floor, the time to import cdktf, constructs and the provider modules the stacks use (nothing else).
 *
 *   npm run bench:synth [-- --rounds 5]
 *
 * Each measurement is a fresh `node` process, the way `npm run synth` runs:
 * - floor: plain node imports cdktf, constructs and every `@cdktf/provider-aws|google/lib/<resource>`
 *          module that docflow's sources import (found by scanning libs/infra, libs/infra-gcp and stacks);
 * - synth: `node stacks/synth.mjs` (what `npm run synth` runs: esbuild bundles stacks/main.ts and the
 *          workspace TypeScript, plain node runs it) writing every stack into a temporary outdir;
 * - tsx:   the same app through the TypeScript loader (`node --import tsx stacks/main.ts`), for
 *          comparison: what the bundling saves.
 * Every round measures all three, in an order that rotates from round to round, so that machine
 * noise hits them alike; medians are reported.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from '../common/median.js';
import { numberOption } from '../common/options.js';
import { rotatingRounds } from '../common/rounds.js';
import { WORKSPACE_ROOT as root } from '../common/workspace.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = numberOption('rounds', args.rounds, { integer: true });

/** Every non-test TypeScript file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry === 'out-tsc' || entry.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

const PROVIDER_IMPORT = /from '(@cdktf\/provider-(?:aws|google)\/lib\/[a-z0-9-]+\/index\.js)'/g;
const providerModules = [
  ...new Set(
    [...sources(join(root, 'libs/infra/src')), ...sources(join(root, 'libs/infra-gcp/src')), ...sources(join(root, 'stacks'))].flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(PROVIDER_IMPORT)].map((match) => match[1] as string),
    ),
  ),
].sort();

const floorScript = ['cdktf', 'constructs', ...providerModules].map((specifier) => `await import('${specifier}');`).join('\n');

function timeNode(nodeArgs: string[], env: NodeJS.ProcessEnv = {}): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, nodeArgs, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`node ${nodeArgs.join(' ')} failed:\n${result.stderr}`);
  return seconds;
}

const outdir = mkdtempSync(join(tmpdir(), 'docflow-bench-synth-'));
const measurements = {
  floor: () => timeNode(['--input-type=module', '-e', floorScript]),
  synth: () => timeNode(['stacks/synth.mjs'], { CDKTF_OUTDIR: outdir }),
  tsx: () => timeNode(['--import', 'tsx', 'stacks/main.ts'], { CDKTF_OUTDIR: outdir }),
};

try {
  // one warm-up of each: fills the OS file cache and tsx's transform cache, as on a developer's machine
  for (const measure of Object.values(measurements)) measure();
  const samples = await rotatingRounds(['floor', 'synth', 'tsx'] as const, rounds, (name) => measurements[name]());
  const stackCount = readdirSync(join(outdir, 'stacks')).length;

  const row = (label: string, values: number[]) =>
    `${label.padEnd(58)} ${median(values).toFixed(2).padStart(6)} s   (min ${Math.min(...values).toFixed(2)}, max ${Math.max(...values).toFixed(2)})`;
  console.log(`synth benchmark, ${rounds} rounds, medians (node ${process.version}, ${relative(process.cwd(), root) || '.'})`);
  console.log(row(`floor: import cdktf + constructs + ${providerModules.length} provider modules`, samples.floor));
  console.log(row(`synth: all ${stackCount} stacks of every environment (npm run synth)`, samples.synth));
  console.log(row('same through tsx (node --import tsx stacks/main.ts)', samples.tsx));
  console.log(`synth minus floor: ${(median(samples.synth) - median(samples.floor)).toFixed(2)} s (bundling, building the constructs, resolving, writing JSON)`);
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
