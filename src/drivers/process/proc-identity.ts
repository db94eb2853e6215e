// Linux /proc checks that keep the driver from ever signalling a recycled pid.
import { readFile, readlink } from 'node:fs/promises';

export { pidAlive } from '../../platform/process-alive.js';

export async function cmdline(pid: number): Promise<string[]> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((a) => a.length > 0);
  } catch {
    return [];
  }
}

export async function cwdOf(pid: number): Promise<string | null> {
  try {
    return await readlink(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

/** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22), or null when it is gone. */
export async function startTicks(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state is field 3, so starttime (field 22) is the 20th field after the ")".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** One variable of the process's environment as it started (/proc/<pid>/environ), or null. */
export async function environValue(pid: number, name: string): Promise<string | null> {
  try {
    const raw = await readFile(`/proc/${pid}/environ`, 'utf8');
    const entry = raw.split('\0').find((e) => e.startsWith(`${name}=`));
    return entry === undefined ? null : entry.slice(name.length + 1);
  } catch {
    return null;
  }
}
