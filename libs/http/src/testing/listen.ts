import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** Where a test app listens: a free port on the loopback address, and its base URL. */
export interface Listening {
  readonly port: number;
  readonly base: string;
}

/** Starts `app` on a free port of 127.0.0.1 (never a fixed one: other suites share the machine). */
export async function listenLocally(app: FastifyInstance): Promise<Listening> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { port, base: `http://127.0.0.1:${port}` };
}
