import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import pinoPretty from 'pino-pretty';
import type { Service } from './services.js';

export interface RunningService {
  readonly service: Service;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
}

export interface Output {
  line(source: string, text: string): void;
}

const COLORS = { ingest: 35, worker: 36, api: 32, docflow: 33 } as const;

/**
 * Prefixes each line with its source and turns the services' JSON log lines into readable ones;
 * lines that are not JSON (a stack trace on stderr, say) pass through unchanged.
 */
export function consoleOutput(stream: NodeJS.WriteStream = process.stdout): Output {
  const colorize = stream.isTTY === true;
  const pretty = pinoPretty.prettyFactory({
    colorize,
    ignore: 'pid,hostname,service',
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
  });
  const width = Math.max(...Object.keys(COLORS).map((name) => name.length));
  return {
    line(source, text) {
      const label = source.padEnd(width);
      const color = COLORS[source as keyof typeof COLORS] ?? 37;
      const prefix = colorize ? `\u001b[${color}m${label}\u001b[0m │ ` : `${label} │ `;
      const body = text.startsWith('{') ? pretty(text).trimEnd() : text;
      for (const part of body.split('\n')) stream.write(`${prefix}${part}\n`);
    },
  };
}

/** Starts a service from its bundle with plain `node`, as its container does. */
export function startService(service: Service, env: NodeJS.ProcessEnv, output: Output): RunningService {
  const child = spawn(process.execPath, ['--enable-source-maps', service.bundle, ...service.args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // its own process group: Ctrl-C reaches only this CLI, which stops the services in order
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => output.line(service.name, line));
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (error) => {
      output.line(service.name, `could not start: ${error.message}`);
      resolve(1);
    });
  });
  return { service, child, exited };
}

/**
 * Asks every service to stop (SIGTERM: they drain in-flight work) and waits; whatever is still
 * running after `graceMs` is killed.
 */
export async function stopServices(services: readonly RunningService[], graceMs: number): Promise<void> {
  for (const { child } of services) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const { child } of services) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, graceMs);
  await Promise.all(services.map((running) => running.exited));
  clearTimeout(timer);
}
