/**
 * How long an idle keep-alive connection stays open. Longer than the ALB's idle timeout (60 s):
 * the load balancer must be the side that closes idle connections, or it may send a request on a
 * connection the app is closing at that moment and answer the client 502.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Socket inactivity limit. It must outlast the keep-alive timeout (or idle keep-alive connections
 * would be cut first) and still bound a connection that stalls.
 */
export const CONNECTION_TIMEOUT_MS = KEEP_ALIVE_TIMEOUT_MS + 5_000;

/** Time to receive a request's headers: never longer than the whole request may take. */
export function headersTimeoutMs(requestTimeoutMs: number): number {
  return Math.min(60_000, requestTimeoutMs);
}
