/**
 * The cdktf app (named in cdktf.json): every stack of every environment, ids `<env>-<stack>`.
 * `npm run synth` writes cdktf.out/stacks/<id>/cdk.tf.json and the manifest. This file is the only
 * place that reads process.env (see src/settings.ts for the variables).
 */
import { AnnotationMetadataEntryType, App } from 'cdktf';
import { ENVIRONMENTS } from '@docflow/infra';
import { defineDocflow, readSettings, SettingsError } from './src/index.js';

try {
  const settings = readSettings(ENVIRONMENTS, process.env);
  // no stack traces in the metadata: the synthesized JSON stays the same on every machine
  const app = new App({ stackTraces: false });
  defineDocflow(app, settings);
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
  if (!(error instanceof SettingsError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
