import autocannon, { type Options, type Result } from 'autocannon';
import { processCpuMs } from './process-cpu.js';

export interface Load {
  readonly result: Result;
  /** CPU time the server process spent during the load, in ms; NaN without a server pid. */
  readonly serverCpuMs: number;
}

/**
 * Puts a server under autocannon's load (from this process) and measures the server's own CPU
 * meanwhile: the cost it adds per request, apart from what PostgreSQL or the emulator spend.
 */
export async function loadServer(options: Options, serverPid?: number): Promise<Load> {
  const cpuBefore = processCpuMs(serverPid);
  const result = await autocannon(options);
  return { result, serverCpuMs: processCpuMs(serverPid) - cpuBefore };
}
