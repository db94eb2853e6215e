// CPU time a process has used, from /proc (Linux): a benchmark figure that survives a busy machine
// better than requests/s (CPU per request does not depend on how much CPU the others take).
import { readFile } from 'node:fs/promises';
import { run } from '../src/platform/exec.js';

let ticksPerSecond: number | undefined;

export interface CpuSample {
  /** Seconds of user CPU (all threads). */
  user: number;
  /** Seconds of kernel CPU (all threads): on loopback this includes most of the TCP work. */
  system: number;
  /** read-like and write-like system calls so far (/proc/PID/io), 0 when not readable. */
  syscr: number;
  syscw: number;
}

/** Seconds of user+system CPU used so far by `pid` (all its threads). */
export async function cpuSeconds(pid: number): Promise<number> {
  const s = await cpuSample(pid);
  return s.user + s.system;
}

export async function cpuSample(pid: number): Promise<CpuSample> {
  ticksPerSecond ??= Number((await run(['getconf', 'CLK_TCK'])).stdout.trim()) || 100;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const io = await readFile(`/proc/${pid}/io`, 'utf8').catch(() => '');
  const count = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? 0);
  return { user: utime / ticksPerSecond, system: stime / ticksPerSecond, syscr: count('syscr'), syscw: count('syscw') };
}

/** The pids of the direct children of `pid` (nginx workers of a master). */
export async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
}
