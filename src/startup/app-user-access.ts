// When the control plane runs as root, app processes run as their own unprivileged users (see
// drivers/process/app-users.ts) and must pass through the data dir to their release dirs: the data
// dir becomes 0711 (others may pass through, not list), and everything in it but the app-facing
// dirs is kept to the control plane (0700 dirs, 0600 files; new ones through umask 077).
import { chmod, lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { closedAncestor, unreachableDataDir } from '../platform/system-user.js';

/** Entries app users pass through (each 0711; what is below them is given per app). */
export const APP_FACING_ENTRIES: ReadonlySet<string> = new Set(['apps', 'builds', 'app-homes']);

/** Opens the data dir to app users as above; returns lines to log (what it changed, what is wrong). */
export async function openDataDirToAppUsers(dataDir: string): Promise<string[]> {
  const notices: string[] = [];
  process.umask(0o077);
  const tightened: string[] = [];
  for (const name of await readdir(dataDir)) {
    const file = path.join(dataDir, name);
    const info = await lstat(file);
    if (info.isSymbolicLink()) continue;
    const mode = APP_FACING_ENTRIES.has(name) && info.isDirectory() ? 0o711 : info.mode & 0o700;
    if ((info.mode & 0o777) === mode) continue;
    await chmod(file, mode);
    if (!APP_FACING_ENTRIES.has(name)) tightened.push(name);
  }
  await closeOldReleases(path.join(dataDir, 'apps'));
  if (tightened.length > 0) notices.push(`kept to the control plane's user (others could read them): ${tightened.sort().join(', ')} in ${dataDir}`);
  await chmod(dataDir, 0o711);
  const closed = await closedAncestor(dataDir);
  if (closed) notices.push(`${unreachableDataDir(dataDir, closed)}; until then every deploy with the process driver fails`);
  return notices;
}

/**
 * Releases staged before Slipway ran as root (or before an app's first deploy as root) are the
 * control plane's with the usual 0755: closed (0700) until a deploy or rollback gives them to their
 * app's user; the dirs above them become passable (0711), never listable.
 */
async function closeOldReleases(appsDir: string): Promise<void> {
  for (const app of await dirs(appsDir)) {
    await chmod(app, 0o711);
    for (const env of await dirs(app)) {
      await chmod(env, 0o711);
      for (const name of await readdir(env)) {
        const entry = path.join(env, name);
        if (name === 'releases') {
          await chmod(entry, 0o711);
          for (const release of await dirs(entry)) await closeIfOurs(release);
        } else {
          await closeIfOurs(entry);
        }
      }
    }
  }
}

async function dirs(parent: string): Promise<string[]> {
  const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => path.join(parent, e.name));
}

async function closeIfOurs(file: string): Promise<void> {
  const info = await lstat(file);
  if (info.isSymbolicLink() || info.uid !== process.getuid?.() || (info.mode & 0o077) === 0) return;
  await chmod(file, info.mode & 0o700);
}

/** The warning a control plane that does not run as root logs at start-up. */
export function sharedUserWarning(user: string): string {
  return (
    `Slipway runs as ${user}, not as root, so build, test and release commands and the apps' processes run as that same user: ` +
    `code pushed to any app's repository can read the admin token, the master key, the database and every app's secrets and files. ` +
    `Deploy only repositories whose committers you trust with the whole installation, or run Slipway as root: then each app's code runs as its own unprivileged user`
  );
}
