// The process groups of the build, test and release commands running now, one small file each in
// `<data>/commands/` (written when the command starts, removed when it ends), so that a control
// plane killed mid-build can, at its next start, kill what it left running: every command leads
// its own group (platform/exec.ts), which outlives a SIGKILL of the control plane.
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { groupExists, signalGroup } from '../../platform/process-group.js';
import { readJsonFile, writeJsonAtomic } from '../../platform/json-file.js';
import { startTicks } from './proc-identity.js';

interface GroupRecord {
  /** The group id: the pid of the command, its leader. */
  pgid: number;
  /** The leader's start time (/proc/<pid>/stat), so a recycled pid is never taken for it. */
  startTicks: string | null;
  label: string;
}

export class CommandGroups {
  constructor(private readonly dir: string) {}

  /** Records the running command's group; the returned function forgets it (call it once it ended). */
  async track(pgid: number, label: string): Promise<() => Promise<void>> {
    const file = path.join(this.dir, `${pgid}.json`);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeJsonAtomic(file, { pgid, startTicks: await startTicks(pgid), label } satisfies GroupRecord);
    return () => rm(file, { force: true });
  }

  /**
   * SIGKILLs the groups of commands an earlier control plane left running and forgets every record;
   * returns the labels of the groups killed. A group is taken as ours when its leader runs with the
   * recorded start time, or when the leader is gone but the group lives on (Linux never reuses a
   * pid as long as a group of that id exists).
   */
  async killOrphans(): Promise<string[]> {
    const killed: string[] = [];
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      const file = path.join(this.dir, name);
      const record = name.endsWith('.json') ? await readJsonFile<GroupRecord>(file).catch(() => null) : null;
      if (record && Number.isInteger(record.pgid) && record.pgid > 1) {
        const leader = await startTicks(record.pgid);
        const ours = leader === null ? groupExists(record.pgid) : record.startTicks !== null && leader === record.startTicks;
        if (ours && signalGroup(record.pgid, 'SIGKILL')) killed.push(`${record.label} (process group ${record.pgid})`);
      }
      await rm(file, { force: true });
    }
    return killed;
  }
}
