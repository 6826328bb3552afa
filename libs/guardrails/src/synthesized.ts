import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GuardrailsError } from './errors.js';
import type { TerraformBlock, TerraformJson } from './terraform-json.js';

/** One synthesized stack: `cdktf.out/stacks/<id>/cdk.tf.json`, with the environment and stack it belongs to. */
export interface SynthesizedStack {
  /** `<env>-<stack>`, cdktf's stack id. */
  readonly id: string;
  /** The `env` default tag of the AWS provider (else the id before its first dash). */
  readonly env: string;
  /** The `stack` default tag (else the id after its first dash). */
  readonly name: string;
  /** The `profile` default tag (`lean`, `standard`), when the stack carries one. */
  readonly profile?: string;
  readonly json: TerraformJson;
}

/** Every synthesized stack of a cdktf app, in the order cdktf defined them (its manifest's). */
export interface SynthesizedApp {
  readonly stacks: readonly SynthesizedStack[];
}

/** An app from stacks already in memory (what a test synthesizes), keyed by stack id, in that order. */
export function appFromStacks(stacks: Readonly<Record<string, TerraformJson>>): SynthesizedApp {
  return { stacks: Object.entries(stacks).map(([id, json]) => describeStack(id, json)) };
}

/**
 * The app cdktf wrote to `dir` (`cdktf.out`): the stacks its manifest lists. Refuses a folder
 * without a manifest, naming the command that writes one.
 */
export function loadSynthesizedApp(dir: string): SynthesizedApp {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new GuardrailsError(`no synthesized stacks in ${resolve(dir)} (no manifest.json): run \`npm run synth\` first, or pass --dir`);
  }
  const manifest = parseJsonFile(manifestPath) as { stacks?: Record<string, { synthesizedStackPath?: string }> };
  const stacks: Record<string, TerraformJson> = {};
  for (const [id, entry] of Object.entries(manifest.stacks ?? {})) {
    const path = join(dir, entry.synthesizedStackPath ?? join('stacks', id, 'cdk.tf.json'));
    if (!existsSync(path)) throw new GuardrailsError(`${manifestPath} lists stack ${id}, but ${path} does not exist: synthesize again`);
    stacks[id] = parseJsonFile(path) as TerraformJson;
  }
  return appFromStacks(stacks);
}

/** The environments of an app, in stack order. */
export function environmentsOf(app: SynthesizedApp): string[] {
  return [...new Set(app.stacks.map((stack) => stack.env))];
}

/** Only the stacks of `environments`; an environment the app does not have is an error naming the ones it has. */
export function selectEnvironments(app: SynthesizedApp, environments: readonly string[] | undefined): SynthesizedApp {
  if (environments === undefined || environments.length === 0) return app;
  const known = environmentsOf(app);
  const unknown = environments.filter((env) => !known.includes(env));
  if (unknown.length > 0) {
    throw new GuardrailsError(`unknown environment ${unknown.map((env) => `"${env}"`).join(', ')}: the synthesized app has ${known.join(', ') || 'none'}`);
  }
  return { stacks: app.stacks.filter((stack) => environments.includes(stack.env)) };
}

function describeStack(id: string, json: TerraformJson): SynthesizedStack {
  const tags = (json.provider?.['aws']?.[0]?.['default_tags'] as TerraformBlock[] | undefined)?.[0]?.['tags'] as Record<string, string> | undefined;
  const dash = id.indexOf('-');
  return {
    id,
    env: tags?.['env'] ?? (dash > 0 ? id.slice(0, dash) : id),
    name: tags?.['stack'] ?? (dash > 0 ? id.slice(dash + 1) : id),
    ...(tags?.['profile'] ? { profile: tags['profile'] } : {}),
    json,
  };
}

function parseJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new GuardrailsError(`cannot read ${path}: ${(error as Error).message}`);
  }
}
