// One control plane per data dir: `<data>/slipway.lock` holds the pid of the server that owns it.
// A lock whose process is gone (a crash, SIGKILL) is taken over; a live one is refused.
import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { pidAlive } from '../platform/process-alive.js';

export const LOCK_FILE = 'slipway.lock';

/** Locks this process holds (an in-process test may run several control planes). */
const heldHere = new Set<string>();

export interface DataDirLock {
  release(): Promise<void>;
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const file = path.join(path.resolve(dataDir), LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      heldHere.add(file);
      return {
        async release() {
          if (!heldHere.delete(file)) return;
          await rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number.parseInt((await readFile(file, 'utf8').catch(() => '')).trim(), 10);
    if (Number.isInteger(pid) && pid > 0 && (await pidAlive(pid)) && (pid !== process.pid || heldHere.has(file))) {
      throw new ConfigError(
        `another control plane (pid ${pid}) is running on the data dir ${dataDir}; stop it first, or use another SLIPWAY_DATA_DIR ` +
          `(if no such process runs, remove ${file})`,
        { dataDir, pid },
      );
    }
    // Stale: its owner is gone. Replace it (another starter racing us loses at `wx`).
    await rm(file, { force: true });
  }
  throw new ConfigError(`could not take the lock ${file}; another control plane may be starting on ${dataDir}`, { dataDir });
}
