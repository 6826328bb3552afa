import { createServer } from 'node:net';
import { LocalEnvironmentError } from './errors.js';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago. Another process may take it before the
 * caller binds it; prefer port 0 where the server reports the port it got (the emulator does).
 */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on `port` at 127.0.0.1 (checked by binding it for a moment). */
export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Throws an error naming the port and the service when the port is taken. */
export async function assertPortFree(port: number, service: string): Promise<void> {
  if (!(await isPortFree(port))) {
    throw new LocalEnvironmentError(
      `${service} cannot start: port ${port} is already in use (is another local environment or ${service} running? ` +
        `stop it or choose another port)`,
    );
  }
}
