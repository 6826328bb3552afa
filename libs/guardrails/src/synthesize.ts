import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { GuardrailsError } from './errors.js';

/** The workspace root above `start`: the folder with cdktf.json (whose `app` synthesizes every stack). */
export function findWorkspaceRoot(start: string = process.cwd()): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'cdktf.json')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new GuardrailsError(`no cdktf.json in ${resolve(start)} or above: run this inside the docflow workspace, or pass --dir`);
  }
}

export interface SynthesisOptions {
  /** The checkout to synthesize (its cdktf.json names the command). */
  readonly root: string;
  /** Where cdktf writes (CDKTF_OUTDIR). */
  readonly outdir: string;
  /** Only these environments (DOCFLOW_ENVIRONMENTS). @default - every environment */
  readonly environments?: readonly string[];
  /** Names the checkout in error messages. @default "the working tree" */
  readonly label?: string;
}

/**
 * Synthesizes a checkout the way `npm run synth` and `cdktf synth` do, by running the `app` command
 * of its cdktf.json with CDKTF_OUTDIR pointing at `outdir`. A failure is one message with the
 * error the command printed (see failureReason).
 */
export async function synthesize(options: SynthesisOptions): Promise<void> {
  const label = options.label ?? 'the working tree';
  const config = join(options.root, 'cdktf.json');
  if (!existsSync(config)) throw new GuardrailsError(`${label} has no cdktf.json: nothing to synthesize`);
  const command = (JSON.parse(readFileSync(config, 'utf8')) as { app?: string }).app;
  if (!command) throw new GuardrailsError(`${config} names no "app" command`);
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: options.outdir };
  if (options.environments && options.environments.length > 0) env['DOCFLOW_ENVIRONMENTS'] = options.environments.join(',');
  const output: string[] = [];
  // its own process group, stopped as a whole when this process is interrupted (the shell and what it runs)
  const child = spawn(command, { cwd: options.root, env, shell: true, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await new Promise<number>((resolveExit, reject) => {
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolveExit(exitCode ?? 1));
  }).finally(() => {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  });
  if (code !== 0) throw new GuardrailsError(`synthesizing ${label} failed (\`${command}\` exited ${code}):\n${failureReason(output.join(''))}`);
}

/** The first line of an uncaught error as Node prints it: `Error: …`, `TypeError: …`, `Error [ERR_…]: …`. */
const ERROR_LINE = /^[A-Z]?\w*Error(?: \[\w+\])?: /;
const STACK_FRAME = /^\s+at /;

/**
 * What a failed synthesis says about why: an uncaught error's message (its first `Error:` line up
 * to its stack frames, without the source line Node prints above it, the frames or `Node.js v…`
 * below), or else the last lines of output (an app that reports its own error in a line, as
 * stacks/main.ts does for a construct's refusal).
 */
export function failureReason(output: string): string {
  const lines = output.trim().split('\n');
  const start = lines.findIndex((line) => ERROR_LINE.test(line));
  if (start === -1) return lines.slice(-12).join('\n');
  const end = lines.findIndex((line, index) => index > start && STACK_FRAME.test(line));
  return lines
    .slice(start, end === -1 ? undefined : end)
    .filter((line) => !/^Node\.js v\d/.test(line))
    .join('\n')
    .trim();
}
