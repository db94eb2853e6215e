// Unprivileged system users for the code we run on others' behalf: looked up with getent and
// created on first use with useradd (argv only): a system account with no shell, no home and its
// own group. Only root can create them or run processes as them.
import { stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { sleep } from './clock.js';
import { run } from './exec.js';

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

/** True when this process runs as root (and so can run others' code as unprivileged users). */
export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The user this process runs as, for messages: "slipway (uid 1000)". */
export function currentUserDescription(): string {
  const uid = process.getuid?.();
  let name = '?';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry for our uid: the uid alone says enough
  }
  return `${name} (uid ${uid ?? '?'})`;
}

/** The account named `name`, or null when there is none. */
export async function lookupUser(name: string): Promise<SystemUser | null> {
  const result = await run(['getent', 'passwd', name], { name: `getent passwd ${name}` });
  if (result.code !== 0) return null; // 2: no such user
  const fields = result.stdout.trim().split(':');
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (fields[0] !== name || !Number.isInteger(uid) || !Number.isInteger(gid)) return null;
  return { name, uid, gid };
}

/** The system user `name`, created (`useradd --system`, no shell, no home, own group) when missing. */
export async function ensureSystemUser(name: string, comment: string): Promise<SystemUser> {
  let user = await lookupUser(name);
  if (!user) {
    const argv = ['useradd', '--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', '--comment', comment, name];
    let created = await run(argv, { name: `useradd ${name}` });
    user = await lookupUser(name); // a concurrent first use may have created it: that is fine too
    for (let attempt = 1; !user && created.code === 1 && attempt < 5; attempt++) {
      await sleep(200 * attempt); // exit 1: /etc/passwd was locked by another useradd
      created = await run(argv, { name: `useradd ${name}` });
      user = await lookupUser(name);
    }
    if (!user) {
      throw new ConfigError(
        `could not create the system user ${name} (useradd exited with ${created.code}: ${created.stderr.trim() || 'no message'}); ` +
          `create it yourself: useradd --system --user-group --no-create-home --shell /usr/sbin/nologin ${name}`,
        { user: name },
      );
    }
  }
  if (user.uid === 0 || user.gid === 0) {
    throw new ConfigError(`the user ${name} has uid ${user.uid} and gid ${user.gid}; it must be an unprivileged user (not root or group root): remove it and let Slipway create it again`, {
      user: name,
    });
  }
  return user;
}

/** The first directory above `dir` that other users cannot pass through (no o+x), or null. */
export async function closedAncestor(dir: string): Promise<{ dir: string; mode: number } | null> {
  let at = path.dirname(path.resolve(dir));
  for (;;) {
    const info = await stat(at);
    if ((info.mode & 0o001) === 0) return { dir: at, mode: info.mode & 0o777 };
    const parent = path.dirname(at);
    if (parent === at) return null;
    at = parent;
  }
}

/** Why app users cannot reach the data dir, and the fix. */
export function unreachableDataDir(dataDir: string, closed: { dir: string; mode: number }): string {
  return (
    `app processes run as their own unprivileged users, who cannot reach the data dir ${dataDir}: ${closed.dir} is mode ${closed.mode.toString(8)}. ` +
    `Run: chmod o+x ${closed.dir} (others may then pass through it, not list it), or set SLIPWAY_DATA_DIR to a directory such as /var/lib/slipway`
  );
}
