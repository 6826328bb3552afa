// @ts-check
/**
 * A stack's `synth` target (libs/delivery/src/nx/plugin.mjs): the environment was synthesized by
 * `stacks:synth:<env>` just before; this says what it wrote for the stack, or that it wrote
 * nothing. Plain JavaScript so that eight stacks cost eight quick node starts, not eight
 * TypeScript loaders. `npm run delivery -- synth <stack> --env <env>` prints the same.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const [stack, env] = process.argv.slice(2);
const dir = resolve(process.env['DOCFLOW_DELIVERY_DIR'] ?? process.cwd());
const config = JSON.parse(readFileSync(join(dir, 'cdktf.json'), 'utf8'));
const file = join(resolve(dir, process.env['CDKTF_OUTDIR'] ?? config.output ?? 'cdktf.out'), 'stacks', `${env}-${stack}`, 'cdk.tf.json');
if (!existsSync(file)) {
  console.error(`error: ${relative(process.cwd(), file) || file} was not synthesized: is "${stack}" a stack of the cdktf app (${config.app})?`);
  process.exit(1);
}
/** @param {Record<string, Record<string, unknown>> | undefined} blocks */
const count = (blocks) => Object.values(blocks ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
const json = JSON.parse(readFileSync(file, 'utf8'));
console.log(`${env}-${stack}: ${count(json.resource)} resources, ${count(json.data)} data sources, ${Object.keys(json.output ?? {}).length} outputs (${file})`);
