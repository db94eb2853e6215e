// Samples every process's argv (/proc/<pid>/cmdline) every 10 ms until stopped, collecting the
// command lines that contain a canary value: secrets must never be passed on a command line.
import { readdir, readFile } from 'node:fs/promises';

export interface CmdlineWatch {
  /** Stops sampling; returns the command lines (NULs as spaces) that held the canary. */
  stop(): Promise<string[]>;
  samples(): number;
}

export function watchCmdlines(canary: string): CmdlineWatch {
  const hits: string[] = [];
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const pid of await readdir('/proc').catch(() => [] as string[])) {
        if (!/^\d+$/.test(pid)) continue;
        const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (cmd.includes(canary)) hits.push(cmd.replace(/\0/g, ' '));
      }
      samples++;
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    samples: () => samples,
    async stop() {
      running = false;
      await loop;
      return hits;
    },
  };
}
