import { spawnSync } from 'node:child_process';
import { DeliveryError } from './errors.js';
import { requireEnvironment, type DeliveryWorkspace } from './workspace.js';

/**
 * Runs the cdktf app (cdktf.json `app`) for one environment (DOCFLOW_ENVIRONMENTS), or for every
 * environment. cdktf synthesizes stacks together: a stack's outputs are the values other stacks
 * read, so an environment is the smallest unit that synthesizes correctly.
 */
export function synthApp(workspace: DeliveryWorkspace, env?: string): void {
  if (env !== undefined) requireEnvironment(workspace, env);
  const result = spawnSync(workspace.appCommand, {
    cwd: workspace.dir,
    shell: true,
    stdio: 'inherit',
    env: { ...process.env, CDKTF_OUTDIR: workspace.outdir, ...(env !== undefined ? { DOCFLOW_ENVIRONMENTS: env } : {}) },
  });
  if (result.error) throw new DeliveryError(`the cdktf app (${workspace.appCommand}) could not start: ${result.error.message}`);
  if (result.status !== 0) throw new DeliveryError(`synth failed: ${workspace.appCommand} exited with ${result.status ?? result.signal} (its message is above)`);
}
