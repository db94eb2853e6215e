// Git as the source of every deploy: resolves refs, materializes trees and reads files at a
// commit, lists commits between two of them. All through the git CLI (argv only) on a cached
// bare mirror per repository; see mirror-cache.ts.
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ReadEntry, x as extractTar } from 'tar';
import { ConflictError, InvalidInputError } from '../core/errors.js';
import type { SourceProvider } from '../core/ports/source.js';
import { checkLinks } from '../core/source-tree-policy.js';
import { LOG_FORMAT, parseLog, type Commit } from './commit-log.js';
import { GitError } from './git-error.js';
import { checkRef, checkRepoPath, checkSha, HEX_SHA, refCandidates } from './git-names.js';
import { MirrorCache, type GitRepo, type Mirror, type MirrorCacheOptions } from './mirror-cache.js';

export type GitSourceOptions = MirrorCacheOptions;

export interface ResolvedRef {
  sha: string;
  subject: string;
}

export interface AheadBehind {
  /** Commits reachable from `a` but not from `b`. */
  ahead: number;
  /** Commits reachable from `b` but not from `a`. */
  behind: number;
}

const MAX_FILE_BYTES = 16 * 1024 * 1024;

export class GitSource implements SourceProvider {
  readonly #cache: MirrorCache;

  constructor(opts: GitSourceOptions) {
    this.#cache = new MirrorCache(opts);
  }

  /** Clones or fetches the repository's mirror now. */
  async fetch(repo: GitRepo): Promise<void> {
    await this.#cache.sync(this.#cache.locate(repo));
  }

  /** Fetches, then resolves a branch, tag, full ref, (short) sha or "HEAD" (the default branch) to a commit. */
  async resolve(repo: GitRepo, ref: string): Promise<ResolvedRef> {
    checkRef(ref);
    const m = this.#cache.locate(repo);
    await this.#cache.sync(m);
    if (ref === 'HEAD') await this.#cache.refreshHead(m);
    const candidates = refCandidates(ref);
    const res = await this.#cache.local(m, 'cat-file', ['cat-file', '--batch-check'], {
      input: candidates.map((c) => `${c}^{commit}\n`).join(''),
    });
    const lines = res.stdout.toString('utf8').split('\n');
    let sha: string | undefined;
    for (const line of lines.slice(0, candidates.length)) {
      const hit = /^([0-9a-f]{40,64}) commit \d+$/.exec(line);
      if (hit) {
        sha = hit[1];
        break;
      }
      if (line.endsWith(' ambiguous')) {
        throw new InvalidInputError(`commit sha ${JSON.stringify(ref)} is ambiguous in ${m.loc.url}: give more characters`);
      }
    }
    if (sha === undefined) throw await this.#refNotFound(m, ref);
    return { sha, subject: await this.#subject(m, sha) };
  }

  /**
   * Writes the tree of commit `sha` into `dir` (created if missing; must be empty), without `.git`.
   * Uses `git archive`, so files marked `export-ignore` in .gitattributes are left out and
   * submodules are not included. On failure the directory is emptied again.
   */
  async checkout(repo: GitRepo, sha: string, dir: string): Promise<void> {
    const m = this.#cache.locate(repo);
    const full = await this.#commit(m, sha);
    const target = path.resolve(dir);
    await mkdir(target, { recursive: true });
    if ((await readdir(target)).length > 0) {
      throw new ConflictError(`checkout directory ${target} is not empty: give a new or empty directory`);
    }
    // The upload's link policy (core/source-tree-policy.ts): an entry whose link leaves the tree is
    // not written, and the checkout fails naming it (the whole tree is checked again at build).
    let refused: unknown;
    const filter = (_path: string, entry: object): boolean => {
      if (refused !== undefined) return false;
      if (!(entry instanceof ReadEntry)) return true;
      try {
        checkLinks(`the repository at ${full.slice(0, 7)}`, [{ path: entry.path, type: entry.type, linkpath: entry.linkpath ?? '', size: 0 }], 'nothing was checked out');
        return true;
      } catch (err) {
        refused = err;
        return false;
      }
    };
    try {
      const extractor = extractTar({ cwd: target, strict: true, preserveOwner: false, filter });
      await this.#cache.local(m, 'archive', ['archive', '--format=tar', full], { stdoutTo: extractor });
      if (refused !== undefined) throw refused;
    } catch (err) {
      for (const entry of await readdir(target)) await rm(path.join(target, entry), { recursive: true, force: true });
      throw err;
    }
  }

  /** The content (UTF-8) of `file` at commit `sha`, or null when the commit has no such file. */
  async readFile(repo: GitRepo, sha: string, file: string): Promise<string | null> {
    const rel = checkRepoPath(file);
    const m = this.#cache.locate(repo);
    const full = await this.#commit(m, sha);
    const res = await this.#cache.local(m, 'cat-file', ['cat-file', '--batch'], {
      input: `${full}:${rel}\n`,
      maxStdout: MAX_FILE_BYTES + 200,
    });
    const out = res.stdout;
    const nl = out.indexOf(0x0a);
    const header = out.subarray(0, nl < 0 ? out.length : nl).toString('utf8');
    if (header.endsWith(' missing')) return null;
    const h = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!h) throw new GitError('internal', `git cat-file gave an unexpected answer for ${rel} at ${full}: ${JSON.stringify(header.slice(0, 200))}`);
    if (h[1] !== 'blob') throw new InvalidInputError(`${rel} at commit ${full.slice(0, 12)} is a ${h[1] === 'tree' ? 'directory' : h[1]}, not a file`);
    const size = Number(h[2]);
    return out.subarray(nl + 1, nl + 1 + size).toString('utf8');
  }

  /**
   * Commits in `from..to` (reachable from `to`, not from `from`), newest first; all ancestors of
   * `to` when `from` is null. At most `limit` commits (default 1000).
   */
  async log(repo: GitRepo, fromSha: string | null, toSha: string, opts: { limit?: number } = {}): Promise<Commit[]> {
    const m = this.#cache.locate(repo);
    const to = await this.#commit(m, toSha);
    const from = fromSha === null ? null : await this.#commit(m, fromSha);
    const limit = Math.max(1, Math.floor(opts.limit ?? 1000));
    const range = from === null ? [to] : [`${from}..${to}`];
    const res = await this.#cache.local(m, 'log', ['log', '-z', `--max-count=${limit}`, `--format=${LOG_FORMAT}`, ...range, '--']);
    return parseLog(res.stdout.toString('utf8'));
  }

  /** Paths whose content differs between the trees of `from` and `to` (`from` null: every path of `to`). */
  async changedPaths(repo: GitRepo, fromSha: string | null, toSha: string): Promise<string[]> {
    const m = this.#cache.locate(repo);
    const to = await this.#commit(m, toSha);
    const args =
      fromSha === null
        ? ['ls-tree', '-r', '-z', '--name-only', to, '--']
        : ['diff-tree', '-r', '-z', '--no-renames', '--name-only', await this.#commit(m, fromSha), to, '--'];
    const res = await this.#cache.local(m, args[0] ?? 'diff-tree', args);
    return res.stdout.toString('utf8').split('\0').filter((p) => p !== '');
  }

  /** How many commits `a` is ahead of and behind `b` (as `git rev-list --left-right --count a...b`). */
  async aheadBehind(repo: GitRepo, a: string, b: string): Promise<AheadBehind> {
    const m = this.#cache.locate(repo);
    const left = await this.#commit(m, a);
    const right = await this.#commit(m, b);
    const res = await this.#cache.local(m, 'rev-list', ['rev-list', '--left-right', '--count', `${left}...${right}`, '--']);
    const [ahead = NaN, behind = NaN] = res.stdout.toString('utf8').trim().split(/\s+/).map(Number);
    if (!Number.isInteger(ahead) || !Number.isInteger(behind)) {
      throw new GitError('internal', `git rev-list gave an unexpected answer: ${JSON.stringify(res.stdout.toString('utf8').slice(0, 100))}`);
    }
    return { ahead, behind };
  }

  /** The full sha of commit `sha` (full or short), fetching once if the mirror lacks it. */
  async #commit(m: Mirror, sha: string): Promise<string> {
    const s = checkSha(sha);
    let full = await this.#lookup(m, s);
    if (full === null) {
      await this.#cache.sync(m);
      full = await this.#lookup(m, s);
    }
    if (full === null) {
      throw new GitError('not_found', `commit ${s} was not found in ${m.loc.url} (after a fetch): check the sha, or that the commit was pushed`, { repo: m.loc.url, sha: s });
    }
    return full;
  }

  async #lookup(m: Mirror, sha: string): Promise<string | null> {
    const res = await this.#cache.tryLocal(m, ['rev-parse', '--verify', '--quiet', `${sha}^{commit}`]);
    const out = res.stdout.toString('utf8').trim();
    return res.code === 0 && HEX_SHA.test(out) ? out : null;
  }

  async #subject(m: Mirror, sha: string): Promise<string> {
    const res = await this.#cache.local(m, 'log', ['log', '-1', '--format=%s', sha, '--']);
    return res.stdout.toString('utf8').replace(/\n$/, '');
  }

  async #refNotFound(m: Mirror, ref: string): Promise<GitError> {
    const res = await this.#cache.tryLocal(m, ['for-each-ref', '--count=200', '--sort=-committerdate', '--format=%(refname)', 'refs/heads', 'refs/tags']);
    const refs = res.stdout.toString('utf8').split('\n').filter(Boolean);
    const branches = refs.filter((r) => r.startsWith('refs/heads/')).map((r) => r.slice(11));
    const tags = refs.filter((r) => r.startsWith('refs/tags/')).map((r) => r.slice(10));
    const some = (xs: string[]) => (xs.length === 0 ? 'none' : xs.slice(0, 8).join(', ') + (xs.length > 8 ? `, ... (${xs.length} in all)` : ''));
    return new GitError(
      'not_found',
      `ref ${JSON.stringify(ref)} is not a branch, tag or commit of ${m.loc.url} (branches: ${some(branches)}; tags: ${some(tags)}); list all refs with: git ls-remote ${m.loc.url}`,
      { repo: m.loc.url, ref },
    );
  }
}
