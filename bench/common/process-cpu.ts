import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** The unit of the CPU times in /proc/<pid>/stat (USER_HZ, 100 on most Linux systems). */
const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc (Linux); NaN without a
 * pid or once the process is gone. Throughput on a shared 2-core machine depends on what else
 * runs; a server's own CPU per request much less so.
 */
export function processCpuMs(pid: number | undefined): number {
  const statPath = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(statPath)) return Number.NaN;
  const stat = readFileSync(statPath, 'utf8');
  // the fields after the command name, which is in parentheses and may contain spaces and ')':
  // state is field 3, utime 14, stime 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU time (ms) used so far by every running process whose command line contains all of
 * `words` (e.g. a PostgreSQL cluster's postmaster and backends: `postgres` and its data dir). A
 * backend that exits in between takes its time with it, so measure over steady connections.
 */
export function processesCpuMs(words: readonly string[]): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (words.every((word) => cmdline.includes(word))) total += processCpuMs(Number(entry)) || 0;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}
