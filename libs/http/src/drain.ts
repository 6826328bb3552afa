import type { FastifyInstance } from 'fastify';

/**
 * Lets `close()` finish as soon as the requests in flight are answered. Closing the server reaps
 * only the keep-alive connections idle at that moment; one busy with a request would stay open
 * after its answer until the keep-alive timeout (65 s, longer than any shutdown may take). So the
 * answers sent while closing say `Connection: close`, and the client opens its next connection
 * elsewhere.
 */
export function installConnectionDrain(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
}
