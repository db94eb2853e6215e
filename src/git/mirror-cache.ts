// A bare mirror per repository under the cache directory (`<cacheDir>/<key>.git`): created with
// `git clone --mirror` (into a temp dir, renamed into place, so a half-made mirror is never seen),
// refreshed with `git fetch --prune`. Fetches of one mirror are serialized in this process; git's
// own lock files protect against other processes, and a lock collision is retried once.
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Redactor } from '../core/redactor.js';
import { prepareCredentials, type GitCredentials } from './git-credentials.js';
import { gitEnv } from './git-env.js';
import { gitFailure, isLockContention } from './git-error.js';
import { runGit, type GitRunOptions, type GitRunResult } from './git-runner.js';
import { KeyedMutex } from '../platform/keyed-mutex.js';
import { removeStaleLocks } from './stale-locks.js';
import { mirrorKey, parseRepoLocation, type RepoLocation } from './repo-location.js';

/** A repository as the caller names it: a path or URL, optionally with credentials. */
export type GitRepo = string | { url: string; credentials?: GitCredentials | undefined };

export interface Mirror {
  /** The repository as the caller wrote it (what `credentialsFor` is asked about). */
  repo: string;
  loc: RepoLocation;
  /** The bare mirror directory. */
  dir: string;
  credentials: GitCredentials | undefined;
}

export interface MirrorCacheOptions {
  cacheDir: string;
  /** Limit for clone and fetch (default 10 minutes). */
  networkTimeoutMs?: number;
  /** Limit for local git commands on the mirror (default 2 minutes). */
  localTimeoutMs?: number;
  /**
   * Credentials for a repository given as a plain string (as the SourceProvider port does),
   * looked up at each clone/fetch, e.g. from the app's secrets. Credentials passed with the
   * repository (`{ url, credentials }`) take precedence.
   */
  credentialsFor?: (repo: string) => Promise<GitCredentials | undefined> | GitCredentials | undefined;
}

type LocalOptions = Pick<GitRunOptions, 'input' | 'stdoutTo' | 'maxStdout'>;

export class MirrorCache {
  readonly cacheDir: string;
  readonly networkTimeoutMs: number;
  readonly localTimeoutMs: number;
  readonly #mutex = new KeyedMutex();
  readonly #credentialsFor: MirrorCacheOptions['credentialsFor'];

  constructor(opts: MirrorCacheOptions) {
    this.#credentialsFor = opts.credentialsFor;
    this.cacheDir = path.resolve(opts.cacheDir);
    this.networkTimeoutMs = opts.networkTimeoutMs ?? 10 * 60_000;
    this.localTimeoutMs = opts.localTimeoutMs ?? 2 * 60_000;
  }

  locate(repo: GitRepo): Mirror {
    const { url, credentials } = typeof repo === 'string' ? { url: repo, credentials: undefined } : repo;
    const loc = parseRepoLocation(url);
    return { repo: url, loc, dir: path.join(this.cacheDir, `${mirrorKey(loc)}.git`), credentials };
  }

  /** Clones the mirror if it is missing, otherwise fetches (pruning deleted refs). */
  sync(m: Mirror): Promise<void> {
    return this.#mutex.run(m.dir, async () => {
      if (await exists(path.join(m.dir, 'HEAD'))) await this.#fetch(m);
      else await this.#clone(m);
    });
  }

  /**
   * Points the mirror's HEAD at the origin's current default branch (`git fetch` does not move
   * it when the default branch is renamed). One extra round trip; used when "HEAD" is resolved.
   */
  refreshHead(m: Mirror): Promise<void> {
    return this.#mutex.run(m.dir, async () => {
      const res = await this.#network(m, 'ls-remote', ['--git-dir', m.dir, 'ls-remote', '--symref', 'origin', 'HEAD']);
      const target = /^ref: (refs\/heads\/[^\s]+)\tHEAD$/m.exec(res.stdout.toString('utf8'))?.[1];
      if (target === undefined) return; // the server does not advertise it: keep the mirror's HEAD
      await this.local(m, 'symbolic-ref', ['symbolic-ref', 'HEAD', target]);
    });
  }

  /** Runs a read-only git command against the mirror; throws a GitError unless it exits 0. */
  async local(m: Mirror, what: string, args: readonly string[], opts: LocalOptions = {}): Promise<GitRunResult> {
    const result = await this.tryLocal(m, args, opts);
    if (result.code !== 0 || result.outputError) {
      throw gitFailure(what, m.loc.url, result, new Redactor(), this.localTimeoutMs);
    }
    return result;
  }

  /** Like `local` but returns the result whatever the exit code. */
  tryLocal(m: Mirror, args: readonly string[], opts: LocalOptions = {}): Promise<GitRunResult> {
    return runGit(['--git-dir', m.dir, ...args], { env: gitEnv(), timeoutMs: this.localTimeoutMs, ...opts });
  }

  async #clone(m: Mirror): Promise<void> {
    await mkdir(this.cacheDir, { recursive: true });
    const tmp = `${m.dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await this.#network(m, 'clone', ['clone', '--mirror', '--quiet', '--', m.loc.url, tmp]);
      try {
        await rename(tmp, m.dir);
      } catch (err) {
        // Another process finished its clone first: use theirs.
        if (!(await exists(path.join(m.dir, 'HEAD')))) throw err;
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  async #fetch(m: Mirror): Promise<void> {
    await removeStaleLocks(m.dir, this.networkTimeoutMs + 60_000);
    await this.#network(m, 'fetch', ['--git-dir', m.dir, 'fetch', '--prune', '--quiet', 'origin']);
  }

  /** Runs clone/fetch with the repository's credentials in the environment; retries a lock collision once. */
  async #network(m: Mirror, what: string, args: string[]): Promise<GitRunResult> {
    const given = m.credentials ?? (await this.#credentialsFor?.(m.repo));
    const creds = await prepareCredentials(m.loc, given, path.join(this.cacheDir, 'known_hosts'));
    try {
      const env = gitEnv(creds.config);
      let result = await runGit(args, { env, timeoutMs: this.networkTimeoutMs, maxStdout: 1024 * 1024 });
      if (result.code !== 0 && !result.timedOut && isLockContention(result.stderr)) {
        await new Promise((r) => setTimeout(r, 500 + Math.random() * 500));
        result = await runGit(args, { env, timeoutMs: this.networkTimeoutMs, maxStdout: 1024 * 1024 });
      }
      if (result.code !== 0) {
        throw gitFailure(what, m.loc.url, result, new Redactor(creds.secrets), this.networkTimeoutMs);
      }
      return result;
    } finally {
      await creds.cleanup();
    }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}
