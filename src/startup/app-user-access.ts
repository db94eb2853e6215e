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
  if (tightened.length > 0) notices.push(`kept to the control plane's user (others could read them): ${tightened.sort().join(', ')} in ${dataDir}`);
  await chmod(dataDir, 0o711);
  const closed = await closedAncestor(dataDir);
  if (closed) notices.push(`${unreachableDataDir(dataDir, closed)}; until then every deploy with the process driver fails`);
  return notices;
}

/** The warning a control plane that does not run as root logs at start-up. */
export function sharedUserWarning(user: string): string {
  return (
    `Slipway runs as ${user}, not as root, so build, test and release commands and the apps' processes run as that same user: ` +
    `code pushed to any app's repository can read the admin token, the master key, the database and every app's secrets and files. ` +
    `Deploy only repositories whose committers you trust with the whole installation, or run Slipway as root: then each app's code runs as its own unprivileged user`
  );
}
