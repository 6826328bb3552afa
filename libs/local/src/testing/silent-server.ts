import { createServer, type AddressInfo, type Socket } from 'node:net';

/** A TCP endpoint that accepts connections and never answers: a stalled network, for timeout tests. */
export interface SilentServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>`, for SDK clients. */
  readonly endpoint: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Drops every connection and stops listening. */
  stop(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    get connections() {
      return sockets.length;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
