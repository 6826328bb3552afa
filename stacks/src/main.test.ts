import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { GCP_STACK_NAMES, STACK_NAMES } from './app.js';

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outdir = mkdtempSync(join(tmpdir(), 'docflow-synth-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Runs `npm run synth` (stacks/synth.mjs bundles and runs stacks/main.ts) with only the given variables. */
function synth(vars: Record<string, string>) {
  return spawnSync(process.execPath, ['stacks/synth.mjs'], {
    cwd: workspaceRoot,
    env: { PATH: process.env['PATH'] ?? '', CDKTF_OUTDIR: outdir, ...vars },
    encoding: 'utf8',
  });
}

describe('npm run synth (stacks/synth.mjs -> stacks/main.ts)', () => {
  it('writes cdktf.out/stacks/<env>-<stack>/cdk.tf.json for the environments asked for', () => {
    const result = synth({ DOCFLOW_ENVIRONMENTS: 'dev' });
    // the warnings: the table ships a placeholder alarm address, project and domains (docs/infrastructure.md)
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      'warn: dev-observability: Alerts: the alarm email "docflow-alerts@example.com" is a placeholder (a reserved example domain), so no alarm reaches anyone; set alarmEmail in the environment table',
      'warn: dev-gcp-foundation: gcp.projectId "docflow-dev-example" is a placeholder: set the environment\'s Google Cloud project in the environment table',
      'warn: dev-gcp-dns: gcp.dnsName "archive.dev.docflow.example.com" is a placeholder (a reserved example domain): set the archive\'s subdomain in the environment table',
      'warn: dev-gcp-export: the export job reads a placeholder api URL (https://api.dev.docflow.example.com): set gcp.apiUrl or domain in the environment table',
    ]);
    expect(result.status).toBe(0);
    for (const stack of [...STACK_NAMES, ...GCP_STACK_NAMES]) expect(existsSync(join(outdir, 'stacks', `dev-${stack}`, 'cdk.tf.json')), stack).toBe(true);
    expect(existsSync(join(outdir, 'manifest.json'))).toBe(true);
  });

  it('GIVEN a bad variable THEN it exits 1 with a message naming it, and writes nothing new', () => {
    const result = synth({ DOCFLOW_ENVIRONMENTS: 'qa' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('DOCFLOW_ENVIRONMENTS: unknown environment qa (known: dev, staging, prod)');
  });
});
