// Real git repositories for tests: a bare repository (served as a path and as file://) and a work
// clone to commit in and push from. Everything lives in one temp dir that cleanup() removes.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runChecked } from '../../src/platform/exec.js';

export interface TestRepo {
  root: string;
  /** The bare repository (a local path usable as a repository). */
  bare: string;
  /** `file://` URL of the bare repository. */
  fileUrl: string;
  /** The work clone. */
  work: string;
  /** Runs git in the work clone (or `cwd`) and returns stdout without the final newline. */
  git(args: string[], cwd?: string): Promise<string>;
  /** Writes (string) or deletes (null) files, commits them on the current branch, returns the sha. */
  commit(files: Record<string, string | null>, message: string): Promise<string>;
  /** Switches the work clone to `branch`, creating it from the current commit when new. */
  switchTo(branch: string): Promise<void>;
  tag(name: string, message?: string): Promise<void>;
  /** Pushes refs (branches or tags) to the bare repository. */
  push(...refs: string[]): Promise<void>;
  cleanup(): Promise<void>;
}

const gitEnvForTests: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: os.tmpdir(),
  LC_ALL: 'C',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Ada Tester',
  GIT_AUTHOR_EMAIL: 'ada@example.test',
  GIT_COMMITTER_NAME: 'Ada Tester',
  GIT_COMMITTER_EMAIL: 'ada@example.test',
};

export async function createTestRepo(opts: { branch?: string } = {}): Promise<TestRepo> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'slipway-test-repo-'));
  const bare = path.join(root, 'origin.git');
  const work = path.join(root, 'work');
  const branch = opts.branch ?? 'main';
  let tick = 0;
  const git = async (args: string[], cwd = work, extraEnv: Record<string, string> = {}) => {
    const r = await runChecked(['git', ...args], { cwd, env: { ...gitEnvForTests, ...extraEnv }, timeoutMs: 60_000 });
    return r.stdout.replace(/\n$/, '');
  };
  await git(['init', '--quiet', '--bare', `--initial-branch=${branch}`, bare], root);
  await git(['init', '--quiet', `--initial-branch=${branch}`, work], root);
  await git(['remote', 'add', 'origin', bare]);

  return {
    root,
    bare,
    fileUrl: `file://${bare}`,
    work,
    git: (args, cwd) => git(args, cwd),
    async commit(files, message) {
      for (const [file, content] of Object.entries(files)) {
        const p = path.join(work, file);
        if (content === null) {
          await git(['rm', '--quiet', '-r', '--', file]);
        } else {
          await mkdir(path.dirname(p), { recursive: true });
          await writeFile(p, content);
          await git(['add', '--', file]);
        }
      }
      // Distinct, increasing dates so that ordering by date is deterministic.
      const date = `${1_790_000_000 + tick++ * 60} +0000`;
      await git(['commit', '--quiet', '--allow-empty', '-m', message], work, { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
      return git(['rev-parse', 'HEAD']);
    },
    async switchTo(name) {
      const exists = await runChecked(['git', 'rev-parse', '--verify', '--quiet', `refs/heads/${name}`], { cwd: work, env: gitEnvForTests }).then(
        () => true,
        () => false,
      );
      await git(exists ? ['switch', '--quiet', name] : ['switch', '--quiet', '-c', name]);
    },
    async tag(name, message) {
      await git(message === undefined ? ['tag', name] : ['tag', '-a', name, '-m', message]);
    },
    async push(...refs) {
      await git(['push', '--quiet', 'origin', ...refs]);
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
