/**
 * The cdktf app (named in cdktf.json): every stack of every environment, ids `<env>-<stack>`.
 * `npm run synth` writes cdktf.out/stacks/<id>/cdk.tf.json and the manifest. This file is the only
 * place that reads process.env (see src/settings.ts for the variables).
 */
import { AnnotationMetadataEntryType, App } from 'cdktf';
import { ENVIRONMENTS } from '@docflow/infra';
import { defineDocflow, readSettings, SettingsError, type SynthSettings } from './src/index.js';

let settings: SynthSettings | undefined;
// no stack traces in the metadata: the synthesized JSON stays the same on every machine
const app = new App({ stackTraces: false });
let defined = false;
try {
  settings = readSettings(ENVIRONMENTS, process.env);
  defineDocflow(app, settings);
  defined = true;
  app.synth();

  const stacks = Object.values(app.manifest.stacks);
  for (const stack of stacks) {
    for (const annotation of stack.annotations) {
      if (annotation.level === AnnotationMetadataEntryType.INFO) continue;
      console.warn(`${annotation.level.replace('@cdktf/', '')}: ${stack.name}: ${annotation.message}`);
    }
  }
  console.log(`Synthesized ${stacks.length} stacks into ${app.outdir}/stacks (${settings.environments.map((env) => env.name).join(', ')})`);
} catch (error) {
  if (error instanceof SettingsError) console.error(error.message);
  // a construct refusing its props (a plain Error with a message that names the problem, e.g. a
  // secret in a container environment): one line, no stack trace. Any other error (a TypeError, ...)
  // is a bug and keeps its stack trace.
  else if (error instanceof Error && error.constructor === Error) console.error(`synth: ${defined ? '' : where()}${error.message}`);
  else throw error;
  process.exitCode = 1;
}

/**
 * The stack a construct error came from: stacks are defined one after the other, and a stack is
 * the app's child from its first line (the base constructor), so the last child is the one whose
 * constructor threw.
 */
function where(): string {
  const id = app.node.children.at(-1)?.node.id;
  if (id === undefined) return '';
  const env = settings?.environments.find((candidate) => id.startsWith(`${candidate.name}-`))?.name;
  return env === undefined ? `${id}: ` : `${id} (environment ${env}, stack ${id.slice(env.length + 1)}): `;
}
