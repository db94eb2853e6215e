// Per-app unprivileged users (when the control plane runs as root): build, test and release
// commands and the app's processes run as `slipway-app-<name>-<hash>`, a system user created on
// first use, so they cannot read the control plane's files (token, key, database: 0600 in a data
// dir others may pass through but not list) nor another app's release, build and shared dirs
// (each owned by its own app's user, 0700/0750). The control plane keeps everything else.
import { createHash } from 'node:crypto';
import { chmod, cp, lchown, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { PreconditionError } from '../../core/errors.js';
import { closedAncestor, ensureSystemUser, unreachableDataDir, type SystemUser } from '../../platform/system-user.js';
import type { ProcessLayout } from './layout.js';

const PREFIX = 'slipway-app-';
const MAX_USER_NAME = 32; // useradd's limit
const HASH_CHARS = 8;

/** "shop" -> "slipway-app-shop-1a2b3c4d": lower-case, at most 32 characters, distinct per app name. */
export function appUserName(app: string): string {
  const hash = createHash('sha256').update(app).digest('hex').slice(0, HASH_CHARS);
  const room = MAX_USER_NAME - PREFIX.length - 1 - HASH_CHARS;
  const base = app.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, room);
  return `${PREFIX}${base}-${hash}`;
}

/** Who an app's code runs as, and the variables that tell it so. */
export interface AppIdentity {
  user: SystemUser;
  /** Its HOME, `<data>/app-homes/<app>` (0700, its own): caches of npm and the like go there. */
  home: string;
  /** HOME, USER and LOGNAME for its processes (over the control plane's). */
  env: Record<string, string>;
}

export class AppUsers {
  readonly #layout: ProcessLayout;
  readonly #known = new Map<string, Promise<AppIdentity>>();

  constructor(layout: ProcessLayout) {
    this.#layout = layout;
  }

  /** The app's identity: its user created on first use, its home made. */
  forApp(app: string): Promise<AppIdentity> {
    let known = this.#known.get(app);
    if (!known) {
      known = this.#identify(app);
      known.catch(() => this.#known.delete(app)); // try again next time
      this.#known.set(app, known);
    }
    return known;
  }

  async #identify(app: string): Promise<AppIdentity> {
    await this.assertReachable();
    const name = appUserName(app);
    const user = await ensureSystemUser(name, `Slipway app ${app}`);
    const homes = path.join(this.#layout.dataDir, 'app-homes');
    await mkdir(homes, { recursive: true, mode: 0o711 });
    await chmod(homes, 0o711);
    const home = path.join(homes, app);
    await mkdir(home, { recursive: true, mode: 0o700 });
    await handOver(home, user);
    return { user, home, env: { HOME: home, USER: name, LOGNAME: name } };
  }

  /** Fails, naming the directory and the fix, when an app user could not reach the data dir. */
  async assertReachable(): Promise<void> {
    const closed = await closedAncestor(this.#layout.dataDir);
    if (closed) throw new PreconditionError(unreachableDataDir(this.#layout.dataDir, closed), { dataDir: this.#layout.dataDir, dir: closed.dir });
  }

  /**
   * Makes the dirs above an environment's releases passable (0711, the control plane's) and gives
   * the release dir (0750) and the shared paths the spec names to the app's user.
   */
  async prepareRelease(app: string, env: string, releaseId: string, sharedPaths: readonly string[]): Promise<void> {
    const { user } = await this.forApp(app);
    const layout = this.#layout;
    for (const dir of [layout.appsDir, path.dirname(layout.envDir(app, env)), layout.envDir(app, env), layout.releasesDir(app, env)]) {
      await chmod(dir, 0o711);
    }
    const releaseDir = layout.releaseDir(app, env, releaseId);
    await handOver(releaseDir, user);
    await chmod(releaseDir, 0o750);
    const shared = layout.sharedDir(app, env);
    for (const rel of ['.', ...sharedPaths]) await giveSharedPath(shared, rel, user);
    if (await lstat(shared).catch(() => null)) await chmod(shared, 0o700);
  }

  /** A copy of `source` (the checkout, for tests) at `dir` (under the builds dir) given to the app's user. */
  async giveCopy(app: string, source: string, dir: string): Promise<AppIdentity> {
    await mkdir(path.dirname(dir), { recursive: true });
    await cp(source, dir, { recursive: true, verbatimSymlinks: true });
    return this.giveDir(app, dir);
  }

  /** A dir made by the control plane (a build or test copy) given to the app's user, 0700. */
  async giveDir(app: string, dir: string): Promise<AppIdentity> {
    const identity = await this.forApp(app);
    const builds = path.dirname(dir);
    await chmod(builds, 0o711);
    await handOver(dir, identity.user);
    await chmod(dir, 0o700);
    return identity;
  }
}

/**
 * Gives a tree to `owner`, children before their directory, never following a link. A part that
 * is already the owner's is left alone (with everything below it): only trees the control plane
 * made are walked, so the app's code cannot swap a directory for a link under the walk.
 */
export async function handOver(target: string, owner: SystemUser): Promise<void> {
  const info = await lstat(target);
  if (info.uid === owner.uid) return;
  if (info.isDirectory()) {
    for (const name of await readdir(target)) await handOver(path.join(target, name), owner);
  }
  await lchown(target, owner.uid, owner.gid);
}

/**
 * Gives the shared dir and the dirs down to one shared path to `owner`, only where no link the app
 * could have planted is followed: the part of the chain the control plane still owns, from the top
 * (deepest first, so every parent on the way is still ours); or, when the shared dir is already the
 * app's (its parent, the env dir, is not), the one entry below it.
 */
async function giveSharedPath(shared: string, rel: string, owner: SystemUser): Promise<void> {
  const chain = [shared];
  for (const part of path.normalize(rel).split(path.sep).filter((p) => p && p !== '.')) chain.push(path.join(chain[chain.length - 1] ?? shared, part));
  const ours: string[] = [];
  for (const at of chain) {
    const info = await lstat(at).catch(() => null);
    if (!info || info.isSymbolicLink() || info.uid === owner.uid) break;
    ours.push(at);
  }
  if (ours.length > 0) {
    for (const at of ours.reverse()) await lchown(at, owner.uid, owner.gid);
    return;
  }
  const next = chain[1];
  const info = next === undefined ? null : await lstat(next).catch(() => null);
  if (next !== undefined && info && !info.isSymbolicLink() && info.uid !== owner.uid) await lchown(next, owner.uid, owner.gid);
}
