import type { HttpApiEdge } from './http-api-edge.js';
import type { LoadBalancerEdge } from './load-balancer-edge.js';

/** How the internet reaches the HTTP services: an ALB (standard) or an HTTP API (lean). */
export type Edge = LoadBalancerEdge | HttpApiEdge;

/**
 * Which requests an edge sends to a service. Ingest answers POST and api answers GET on the same
 * paths (`/v1/documents`), so routing is by method: ingest takes POST, api takes the rest.
 */
export interface EdgeRoute {
  /** ALB rule priority (lower wins); unique per listener. */
  readonly priority: number;
  /** Methods routed to the service. @default - every method */
  readonly httpMethods?: readonly string[];
}
