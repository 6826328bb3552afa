/**
 * `npm run synth` and cdktf.json's app: bundles the cdktf app (stacks/main.ts and the workspace
 * TypeScript it imports) with esbuild, then runs the bundle in this process with plain Node.
 * Running the sources through a TypeScript loader (`node --import tsx stacks/main.ts`, which also
 * works) costs about as much again as the synthesis itself: the loader's hooks see every one of
 * cdktf's and the provider's modules. cdktf, constructs and the provider stay external, loaded from
 * node_modules exactly as the floor in bench/synth loads them.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
// inside the repository so that the externals resolve from its node_modules; one file per process.
// The bundle carries an inline source map: `node --enable-source-maps stacks/synth.mjs` maps a stack
// trace to the TypeScript sources (not on by default: Node would then also parse the source maps
// inlined in every cdktf and provider module, which doubles the run time).
const bundle = `${root}node_modules/.cache/docflow-synth/main-${process.pid}.mjs`;

mkdirSync(dirname(bundle), { recursive: true });
try {
  await build({
    entryPoints: [`${root}stacks/main.ts`],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['cdktf', 'constructs', '@cdktf/*'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  await import(pathToFileURL(bundle).href);
} finally {
  rmSync(bundle, { force: true });
}
