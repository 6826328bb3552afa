import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * What a user without Terraform, credentials or the right names sees: one line naming what is
 * missing (exit 1), never a stack trace. The CLI runs as the Nx targets run it.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'docflow-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A synthesized stack in the scratch workspace (only what the checks before Terraform read). */
function synthesized(id: string, json: object): void {
  mkdirSync(join(dir, 'cdktf.out', 'stacks', id), { recursive: true });
  writeFileSync(join(dir, 'cdktf.out', 'stacks', id, 'cdk.tf.json'), JSON.stringify(json));
}
writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ app: 'node main.js', output: 'cdktf.out' }));
synthesized('dev-network', { provider: { aws: [{ region: 'eu-west-1' }] }, resource: {} });
synthesized('prod-network', { resource: {} });
synthesized('dev-gcp-registry', { provider: { google: [{ project: 'docflow-dev-acme', region: 'europe-west1' }] }, resource: {} });

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'libs/delivery/src/cli/main.ts'), ...args], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...env },
    encoding: 'utf8',
  });
  expect(result.stderr, 'no stack trace').not.toMatch(/^\s+at /m);
  return result;
}

describe('delivery CLI errors', () => {
  it('GIVEN an unknown environment THEN it names the known ones', () => {
    const result = cli(['deploy', 'network', '--env', 'qa']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('error: unknown environment "qa" (known: dev, staging, prod; nx.json lists them for the delivery plugin)\n');
  });

  it('GIVEN an unknown stack THEN it lists the stacks of that environment', () => {
    const result = cli(['deploy', 'nosuch', '--env', 'dev', '--dir', dir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('error: unknown stack "dev-nosuch": dev has dev-gcp-registry, dev-network\n');
  });

  it('GIVEN an unknown stack in an Nx workspace with nothing synthesized THEN it names the stack projects, not a synth of a project that does not exist', () => {
    const nxWorkspace = join(dir, 'nx-workspace');
    mkdirSync(nxWorkspace);
    writeFileSync(join(nxWorkspace, 'cdktf.json'), JSON.stringify({ app: 'node main.js', output: 'cdktf.out' }));
    writeFileSync(join(nxWorkspace, 'nx.json'), JSON.stringify({ plugins: [{ plugin: './libs/delivery/src/nx/plugin.mjs', options: { environments: ['dev', 'prod'] } }] }));
    for (const stack of ['network', 'api']) {
      mkdirSync(join(nxWorkspace, 'stacks', stack), { recursive: true });
      writeFileSync(join(nxWorkspace, 'stacks', stack, 'package.json'), JSON.stringify({ name: `@docflow/stack-${stack}` }));
    }
    mkdirSync(join(nxWorkspace, 'stacks', 'src')); // a folder of sources, not a stack project
    const unknown = cli(['diff', 'nosuch', '--env', 'dev', '--dir', nxWorkspace]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe('error: unknown stack "nosuch": the stacks are api, network (stacks/<name>, Nx project stack-<name>)\n');
    // a stack that exists still gets the synth to run
    expect(cli(['diff', 'network', '--env', 'dev', '--dir', nxWorkspace]).stderr).toContain('nothing is synthesized for dev yet; run npx nx run stack-network:synth -c dev');
  });

  it("GIVEN an unknown stack in docflow's workspace THEN it names docflow's stacks, synthesized or not", () => {
    const result = cli(['diff', 'nosuch', '--env', 'staging']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: unknown stack "nosuch": the stacks are api, data, foundation, .*network, observability, platform, worker \(stacks\/<name>, Nx project stack-<name>\)\n$/);
    expect(result.stderr).not.toContain('stack-nosuch:synth');
  });

  it('GIVEN nothing synthesized for an environment THEN it says which synth to run', () => {
    const result = cli(['diff', 'network', '--env', 'staging', '--dir', dir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('nothing is synthesized for staging yet; run npx nx run stack-network:synth -c staging');
  });

  it('GIVEN no Terraform on the PATH THEN it says Terraform is needed', () => {
    const result = cli(['deploy', 'network', '--env', 'dev', '--dir', dir], { PATH: dirname(process.execPath) });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: Terraform is not installed \(no terraform on the PATH\): diff, deploy, destroy and state need Terraform >= 1\.10/);
  });

  it('GIVEN an AWS stack and no credentials THEN it says where credentials come from', () => {
    const result = cli(['deploy', 'dev-network', '--dir', dir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: dev-network needs AWS credentials and none were found \(AWS_PROFILE, AWS_ACCESS_KEY_ID/);
  });

  it('GIVEN a GCP stack and no Google credentials THEN it says where they come from (and asks for no AWS credentials)', () => {
    const result = cli(['deploy', 'dev-gcp-registry', '--dir', dir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: dev-gcp-registry needs Google Cloud credentials and none were found \(GOOGLE_APPLICATION_CREDENTIALS/);
  });

  it('GIVEN a prod destroy without confirmation THEN it refuses before touching anything', () => {
    expect(cli(['destroy', 'network', '--env', 'prod', '--dir', dir]).stderr).toBe(
      "error: prod-network: destroying prod needs --confirm prod (it deletes the environment's resources)\n",
    );
  });

  it('GIVEN a bad option or command THEN one line points at --help', () => {
    expect(cli(['deploy', 'network', '--nope']).stderr).toMatch(/^error: Unknown option '--nope'.*\(see --help\)\n$/);
    expect(cli(['launch']).stderr).toBe('error: unknown command "launch" (see --help)\n');
    expect(cli(['--help']).stdout).toContain('npm run state -- dev-network');
  });

  it('GIVEN nx -c with an unknown environment THEN Nx refuses before any task (instead of running the default dev)', () => {
    const result = spawnSync(process.execPath, [join(root, 'node_modules', '.bin', 'nx'), 'run', 'stack-network:deploy', '-c', 'qa'], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toContain('unknown environment "qa" (known: dev, staging, prod; nx.json lists them for the delivery plugin)');
    expect(result.stdout + result.stderr).not.toContain('stacks:synth');
  }, 120_000);
});
