import { cpus, loadavg } from 'node:os';

/**
 * The machine a benchmark ran on, with its load average before and after: on a shared 2-core
 * machine other work skews every figure, and the figures must say so. Only the load before the run
 * says whether others shared the cores: the load after includes the benchmark's own processes,
 * which keep both cores busy by design.
 */
export function machineLine(loadBefore: readonly number[]): string {
  const cores = cpus();
  const after = loadavg();
  const busy = (loadBefore[0] ?? 0) > cores.length * 0.5;
  return (
    `machine: ${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown CPU'}), node ${process.version}; ` +
    `load average before ${loadBefore.map((load) => load.toFixed(1)).join(' ')}, after ${after.map((load) => load.toFixed(1)).join(' ')} (this run's own processes included)` +
    (busy ? ' — BUSY: other processes shared the cores, the figures are pessimistic' : ' — quiet')
  );
}
