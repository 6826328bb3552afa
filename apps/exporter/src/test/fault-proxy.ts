import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { listenOnLoopback } from './loopback.js';

/** What the proxy does with one request: pass it on, answer for the service, or hold it without an answer. */
export type Fault = 'forward' | 'stall' | { readonly status: number };

export interface ProxiedRequest {
  readonly method: string;
  readonly url: string;
  /** What the client got: the service's status, the injected one, or 'stalled'. */
  outcome: number | 'stalled';
}

export interface FaultProxy {
  readonly url: string;
  readonly requests: ProxiedRequest[];
  /** Decides each request from now on (numbered from 1 over the proxy's life). */
  setRule(rule: (request: { method: string; url: string; n: number }) => Fault): void;
  close(): Promise<void>;
}

/**
 * A fault proxy in front of `target()` for the tests of one describe block: started before them,
 * closed after them, its request log emptied before each.
 */
export function useFaultProxy(target: () => string): () => FaultProxy {
  let proxy: FaultProxy | undefined;
  beforeAll(async () => {
    proxy = await startFaultProxy(target());
  });
  beforeEach(() => {
    proxy?.requests.splice(0);
    proxy?.setRule(() => 'forward');
  });
  afterAll(async () => {
    await proxy?.close();
  });
  return () => {
    if (proxy === undefined) throw new Error('the fault proxy is not running');
    return proxy;
  };
}

/**
 * A real HTTP proxy in front of a real service, which can answer a request itself (a 503 as an
 * overloaded service would) or hold it unanswered (a stalled connection, for client timeouts).
 * Every other request reaches the service unchanged. It records what came through.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  let rule: (request: { method: string; url: string; n: number }) => Fault = () => 'forward';
  const stalled = new Set<ServerResponse>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const entry: ProxiedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', outcome: 0 };
    requests.push(entry);
    const fault = rule({ method: entry.method, url: entry.url, n: requests.length });
    if (fault === 'stall') {
      entry.outcome = 'stalled';
      stalled.add(res);
      req.resume();
      res.on('close', () => stalled.delete(res));
      return;
    }
    if (fault !== 'forward') {
      entry.outcome = fault.status;
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ statusCode: fault.status, error: 'Injected', message: 'injected by the fault proxy' }));
      return;
    }
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        entry.outcome = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    requests,
    setRule(next) {
      rule = next;
    },
    async close() {
      for (const res of stalled) res.destroy();
      await listening.close();
    },
  };
}
