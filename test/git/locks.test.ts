import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, utimes, writeFile, access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SlipwayError } from '../../src/core/errors.js';
import { GitSource } from '../../src/git/index.js';
import { createTestRepo, type TestRepo } from '../support/git-repo.js';

describe('mirror lock files', () => {
  let repo: TestRepo;
  let tmp: string;
  let git: GitSource;
  let mirror: string;

  before(async () => {
    repo = await createTestRepo();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'slipway-git-locks-'));
    await repo.commit({ a: '1' }, 'One');
    await repo.push('main');
    const cacheDir = path.join(tmp, 'cache');
    git = new GitSource({ cacheDir, networkTimeoutMs: 30_000 });
    await git.fetch(repo.bare);
    const name = (await readdir(cacheDir)).find((e) => e.endsWith('.git'))!;
    mirror = path.join(cacheDir, name);
  });

  after(async () => {
    await repo.cleanup();
    await rm(tmp, { recursive: true, force: true });
  });

  test('a lock held by another process fails the fetch with a locked error after one retry', async () => {
    const sha = await repo.commit({ a: '2' }, 'Two');
    await repo.push('main');
    const lock = path.join(mirror, 'refs', 'heads', 'main.lock');
    await writeFile(lock, '');
    const started = Date.now();
    try {
      await assert.rejects(git.resolve(repo.bare, 'main'), (e: unknown) => {
        assert.ok(e instanceof SlipwayError);
        assert.equal(e.code, 'locked');
        assert.match(e.message, /another git process holds a lock/);
        assert.match(e.message, /main\.lock/);
        return true;
      });
      assert.ok(Date.now() - started >= 500, 'the fetch was retried once after a pause');
    } finally {
      await rm(lock, { force: true });
    }
    assert.equal((await git.resolve(repo.bare, 'main')).sha, sha);
  });

  test('a stale lock (older than the git timeout) left by a crashed process is removed before fetching', async () => {
    const sha = await repo.commit({ a: '4' }, 'Four');
    await repo.push('main');
    const lock = path.join(mirror, 'refs', 'heads', 'main.lock');
    await writeFile(lock, '');
    const old = new Date(Date.now() - 60 * 60_000);
    await utimes(lock, old, old);
    assert.equal((await git.resolve(repo.bare, 'main')).sha, sha);
    await assert.rejects(access(lock));
  });
});
