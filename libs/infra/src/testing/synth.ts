import { Testing, TerraformStack, type App } from 'cdktf';
import type { Construct } from 'constructs';
import type { TerraformJson } from '@docflow/guardrails';

/** GIVEN a scope built by `build` in a bare test stack, WHEN synthesized, the parsed JSON. */
export function synthScope(build: (scope: Construct) => void): TerraformJson {
  return JSON.parse(Testing.synthScope(build)) as TerraformJson;
}

/** A fresh test app (temporary outdir, stubbed version, no stack traces). */
export function testApp(): App {
  return Testing.app();
}

/**
 * Every stack of `app` as parsed JSON, keyed by stack id. Like `app.synth()`, cross-stack references
 * are resolved first on every stack (they add outputs upstream and remote state downstream).
 */
export function synthApp(app: App): Record<string, TerraformJson> {
  const stacks = app.node.findAll().filter((construct): construct is TerraformStack => TerraformStack.isStack(construct));
  for (const stack of stacks) stack.prepareStack();
  return Object.fromEntries(stacks.map((stack) => [stack.node.id, JSON.parse(Testing.synth(stack)) as TerraformJson]));
}

/** Synthesizes `stack` alone (no cross-stack references) as parsed JSON. */
export function synthStack(stack: TerraformStack): TerraformJson {
  return JSON.parse(Testing.synth(stack)) as TerraformJson;
}
