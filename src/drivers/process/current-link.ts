// `current` -> `releases/<id>`, switched atomically: a new symlink under a temp name, renamed over.
import { randomBytes } from 'node:crypto';
import { readlink, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';

export async function switchCurrent(currentLink: string, releaseId: string): Promise<void> {
  const tmp = `${currentLink}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    await symlink(path.join('releases', releaseId), tmp);
    await rename(tmp, currentLink);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** The release id `current` points at, or null. */
export async function readCurrent(currentLink: string): Promise<string | null> {
  try {
    return path.basename(await readlink(currentLink));
  } catch {
    return null;
  }
}
