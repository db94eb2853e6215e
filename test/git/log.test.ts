import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deploymentNotes, GitSource } from '../../src/git/index.js';
import { createTestRepo, type TestRepo } from '../support/git-repo.js';

describe('GitSource.log, aheadBehind and deployment notes', () => {
  let repo: TestRepo;
  let tmp: string;
  let git: GitSource;
  const c: string[] = [];

  before(async () => {
    repo = await createTestRepo();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'slipway-git-log-'));
    git = new GitSource({ cacheDir: path.join(tmp, 'cache') });
    c.push(await repo.commit({ a: '1' }, 'Base'));
    await repo.switchTo('release');
    await repo.switchTo('main');
    c.push(await repo.commit({ a: '2' }, 'Add users table\n\nMigrates the schema.\n\nDeployment: run the data backfill after deploy\nSigned-off-by: Ada <ada@example.test>'));
    c.push(await repo.commit({ a: '3' }, 'Plain change'));
    c.push(
      await repo.commit(
        { a: '4' },
        'Rotate keys\n\nSome text with Deployment: in the middle of a line.\n\nReviewed-by: Bob <bob@example.test>\ndeployment: restart the worker\n  after the cache is warm\nDeployment: tell support',
      ),
    );
    await repo.switchTo('release');
    c.push(await repo.commit({ hotfix: 'x' }, 'Hotfix on release'));
    await repo.push('main', 'release');
  });

  after(async () => {
    await repo.cleanup();
    await rm(tmp, { recursive: true, force: true });
  });

  test('log(from, to) lists the commits in from..to, newest first, as git log does', async () => {
    const main = (await git.resolve(repo.bare, 'main')).sha;
    const release = (await git.resolve(repo.bare, 'release')).sha;
    const commits = await git.log(repo.bare, release, main);
    const expected = (await repo.git(['log', '--format=%H', `${release}..${main}`])).split('\n');
    assert.deepEqual(commits.map((x) => x.sha), expected);
    assert.deepEqual(commits.map((x) => x.subject), ['Rotate keys', 'Plain change', 'Add users table']);
    const add = commits[2]!;
    assert.equal(add.author, 'Ada Tester');
    assert.equal(add.authorEmail, 'ada@example.test');
    assert.match(add.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    assert.match(add.body, /^Migrates the schema\.\n\nDeployment: run the data backfill after deploy\nSigned-off-by/);
    assert.deepEqual(add.trailers, [
      { key: 'Deployment', value: 'run the data backfill after deploy' },
      { key: 'Signed-off-by', value: 'Ada <ada@example.test>' },
    ]);
  });

  test('log(null, to) lists all ancestors; limit caps the count', async () => {
    const main = (await git.resolve(repo.bare, 'main')).sha;
    assert.equal((await git.log(repo.bare, null, main)).length, 4);
    assert.deepEqual((await git.log(repo.bare, null, main, { limit: 2 })).map((x) => x.sha), [c[3], c[2]]);
    assert.deepEqual(await git.log(repo.bare, main, main), []);
  });

  test('deploymentNotes collects Deployment trailers (any case, unfolded), in commit order', async () => {
    const release = (await git.resolve(repo.bare, 'release')).sha;
    const main = (await git.resolve(repo.bare, 'main')).sha;
    const notes = deploymentNotes(await git.log(repo.bare, release, main));
    assert.deepEqual(notes, ['restart the worker after the cache is warm', 'tell support', 'run the data backfill after deploy']);
    assert.deepEqual(deploymentNotes([]), []);
  });

  test('aheadBehind agrees with git rev-list --left-right --count', async () => {
    const main = (await git.resolve(repo.bare, 'main')).sha;
    const release = (await git.resolve(repo.bare, 'release')).sha;
    const [l, r] = (await repo.git(['rev-list', '--left-right', '--count', `${main}...${release}`])).split(/\s+/).map(Number);
    assert.deepEqual(await git.aheadBehind(repo.bare, main, release), { ahead: l, behind: r });
    assert.deepEqual(await git.aheadBehind(repo.bare, main, release), { ahead: 3, behind: 1 });
    assert.deepEqual(await git.aheadBehind(repo.bare, release, main), { ahead: 1, behind: 3 });
    assert.deepEqual(await git.aheadBehind(repo.bare, main, main), { ahead: 0, behind: 0 });
  });

  test('a commit pushed after the last fetch is fetched on demand by log', async () => {
    await repo.switchTo('main');
    const before = (await git.resolve(repo.bare, 'main')).sha;
    const next = await repo.commit({ b: '1' }, 'Later\n\nDeployment: later note');
    await repo.push('main');
    const commits = await git.log(repo.bare, before, next);
    assert.deepEqual(commits.map((x) => x.sha), [next]);
    assert.deepEqual(deploymentNotes(commits), ['later note']);
  });

  test('concurrent calls on one mirror (first clone included) all succeed', async () => {
    const fresh = new GitSource({ cacheDir: path.join(tmp, 'cache-concurrent') });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => fresh.resolve(repo.bare, i % 2 ? 'main' : 'release')));
    assert.equal(new Set(results.map((r) => r.sha)).size, 2);
    // Two independent instances (as two processes would) cloning the same repository at once.
    const a = new GitSource({ cacheDir: path.join(tmp, 'cache-shared') });
    const b = new GitSource({ cacheDir: path.join(tmp, 'cache-shared') });
    const both = await Promise.all([a.resolve(repo.bare, 'main'), b.resolve(repo.bare, 'main'), a.fetch(repo.bare), b.fetch(repo.bare)]);
    assert.equal(both[0].sha, both[1].sha);
  });
});
