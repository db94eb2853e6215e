// System calls per request, counted by strace (-c) attached to the proxy while a load runs. The
// /proc/PID/io counters the CPU sample reads (syscr, syscw) see read(2)/write(2)/writev(2) but not
// recvfrom/sendto, which is what nginx reads with, and nothing else (epoll, getsockopt, futex):
// they made nginx look like 2 calls a request when strace counts 6. This counts every call.
// strace slows the traced process down, so the pass runs apart from the timed ones.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../src/platform/exec.js';

export interface SyscallCount {
  /** All system calls of the traced processes (all threads) during the load. */
  total: number;
  /** Calls per name, most frequent first. */
  byName: Array<{ name: string; calls: number }>;
}

export async function straceAvailable(): Promise<boolean> {
  try {
    const r = await run(['strace', '-V']);
    return r.code === 0;
  } catch {
    return false;
  }
}

/** Attaches strace to `pids` (and their threads), runs `load`, detaches; the counts in between. */
export async function countSyscalls(pids: number[], load: () => Promise<void>): Promise<SyscallCount> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'edge-bench-strace-'));
  const out = path.join(dir, 'strace.txt');
  try {
    const argv = ['-f', '-c', '-o', out];
    for (const pid of pids) argv.push('-p', String(pid));
    const child = spawn('strace', argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const attached = new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // One "attached" line per pid given (threads are reported on the same line).
        if ((stderr.match(/attached/g) ?? []).length >= pids.length) resolve();
      });
      child.once('exit', (code) => reject(new Error(`strace exited (${code}) before attaching: ${stderr.trim()}`)));
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await attached;
    try {
      await load();
    } finally {
      child.kill('SIGINT'); // strace detaches and writes its summary
      await exited;
    }
    return parseStraceSummary(await readFile(out, 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reads `strace -c`'s table: "% time seconds usecs/call calls [errors] syscall" rows and "total". */
export function parseStraceSummary(text: string): SyscallCount {
  const byName: Array<{ name: string; calls: number }> = [];
  let total = -1;
  for (const line of text.split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\S+)\s*$/.exec(line);
    if (!m) continue;
    const calls = Number(m[1]);
    if (m[2] === 'total') total = calls;
    else byName.push({ name: m[2] as string, calls });
  }
  if (total < 0) throw new Error(`cannot read strace's summary:\n${text}`);
  return { total, byName: byName.sort((a, b) => b.calls - a.calls) };
}
