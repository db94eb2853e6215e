import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SlipwayError } from '../../src/core/errors.js';
import { GitSource } from '../../src/git/index.js';
import { createTestRepo, type TestRepo } from '../support/git-repo.js';

describe('GitSource', () => {
  let repo: TestRepo;
  let tmp: string;
  let git: GitSource;
  const shas: Record<string, string> = {};

  before(async () => {
    repo = await createTestRepo();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'slipway-git-test-'));
    git = new GitSource({ cacheDir: path.join(tmp, 'cache') });
    shas.first = await repo.commit({ 'slipway.yml': 'environments:\n  staging:\n    branch: main\n', 'src/app.js': 'console.log(1)\n' }, 'First commit');
    shas.second = await repo.commit({ 'src/app.js': 'console.log(2)\r\nno final newline' }, 'Second commit\n\nLonger body.');
    await repo.tag('v1.0.0', 'release 1.0.0'); // annotated
    await repo.tag('light'); // lightweight
    await repo.push('main', '--tags');
    await repo.switchTo('release');
    shas.rel = await repo.commit({ 'RELEASE': 'r\n' }, 'Release only');
    await repo.push('release');
  });

  after(async () => {
    await repo.cleanup();
    await rm(tmp, { recursive: true, force: true });
  });

  test('resolves a branch, a tag (annotated and light), a full ref, a full and a short sha', async () => {
    assert.deepEqual(await git.resolve(repo.bare, 'main'), { sha: shas.second, subject: 'Second commit' });
    assert.equal((await git.resolve(repo.fileUrl, 'release')).sha, shas.rel);
    assert.equal((await git.resolve(repo.bare, 'v1.0.0')).sha, shas.second);
    assert.equal((await git.resolve(repo.bare, 'light')).sha, shas.second);
    assert.equal((await git.resolve(repo.bare, 'refs/heads/release')).sha, shas.rel);
    assert.deepEqual(await git.resolve(repo.bare, shas.first!), { sha: shas.first, subject: 'First commit' });
    assert.equal((await git.resolve(repo.bare, shas.first!.slice(0, 7))).sha, shas.first);
    assert.equal((await git.resolve(repo.bare, shas.first!.slice(0, 7).toUpperCase())).sha, shas.first);
  });

  test('HEAD resolves to the default branch of the repository', async () => {
    assert.equal((await git.resolve(repo.bare, 'HEAD')).sha, shas.second);
    // The origin's default branch changes: HEAD follows it (git fetch alone would not).
    await repo.git(['symbolic-ref', 'HEAD', 'refs/heads/release'], repo.bare);
    try {
      assert.equal((await git.resolve(repo.bare, 'HEAD')).sha, shas.rel); // same mirror as above
    } finally {
      await repo.git(['symbolic-ref', 'HEAD', 'refs/heads/main'], repo.bare);
    }
    assert.equal((await git.resolve(repo.bare, 'HEAD')).sha, shas.second);
  });

  test('a relative path and the file:// URL of the same repository share no state but agree', async () => {
    const rel = path.relative(process.cwd(), repo.bare);
    assert.equal((await git.resolve(rel, 'main')).sha, shas.second);
    assert.equal((await git.resolve({ url: repo.fileUrl }, 'main')).sha, shas.second);
  });

  test('a new push is seen by the next resolve (fetch first), deleted branches are pruned', async () => {
    await repo.switchTo('feature');
    const sha = await repo.commit({ 'f.txt': 'f' }, 'Feature');
    await repo.push('feature');
    assert.equal((await git.resolve(repo.bare, 'feature')).sha, sha);
    await repo.git(['push', '--quiet', 'origin', '--delete', 'feature']);
    await assert.rejects(git.resolve(repo.bare, 'feature'), (e: unknown) => e instanceof SlipwayError && e.code === 'not_found');
    await repo.switchTo('main');
  });

  test('an unknown ref is a not_found error that lists branches and says how to see refs', async () => {
    await assert.rejects(git.resolve(repo.bare, 'nope'), (e: unknown) => {
      assert.ok(e instanceof SlipwayError);
      assert.equal(e.code, 'not_found');
      assert.match(e.message, /"nope" is not a branch, tag or commit/);
      assert.match(e.message, /branches: .*main/);
      assert.match(e.message, /tags: .*v1\.0\.0/);
      assert.match(e.message, /git ls-remote/);
      return true;
    });
    await assert.rejects(git.resolve(repo.bare, 'deadbeef'), (e: unknown) => e instanceof SlipwayError && e.code === 'not_found');
  });

  test('refs that could be options or revision syntax are refused before reaching git', async () => {
    for (const bad of ['--upload-pack=touch /tmp/x', '-x', 'main~1', 'a..b', 'main^{tree}', 'x y', 'a\nb', '', 'HEAD@{1}']) {
      await assert.rejects(git.resolve(repo.bare, bad), (e: unknown) => e instanceof SlipwayError && e.code === 'invalid_input', bad);
    }
    await assert.rejects(git.resolve('ext::sh -c touch% /tmp/pwned', 'main'), (e: unknown) => e instanceof SlipwayError && e.code === 'invalid_input');
    await assert.rejects(git.resolve('https://user:secret@example.test/r.git', 'main'), (e: unknown) => {
      assert.ok(e instanceof SlipwayError && e.code === 'invalid_input');
      assert.doesNotMatch(e.message, /secret/);
      return true;
    });
  });

  test('a missing repository is a not_found error naming it', async () => {
    const missing = path.join(tmp, 'does-not-exist.git');
    await assert.rejects(git.resolve(missing, 'main'), (e: unknown) => {
      assert.ok(e instanceof SlipwayError);
      assert.equal(e.code, 'not_found');
      assert.ok(e.message.includes(missing));
      return true;
    });
  });

  test('checkout writes the tree at a commit, byte for byte, without .git', async () => {
    const dir = path.join(tmp, 'co-second');
    await git.checkout(repo.bare, shas.second!, dir);
    assert.deepEqual((await readdir(dir)).sort(), ['slipway.yml', 'src']);
    assert.equal(await readFile(path.join(dir, 'src/app.js'), 'utf8'), 'console.log(2)\r\nno final newline');
    const dir1 = path.join(tmp, 'co-first');
    await git.checkout(repo.bare, shas.first!.slice(0, 8), dir1);
    assert.equal(await readFile(path.join(dir1, 'src/app.js'), 'utf8'), 'console.log(1)\n');
  });

  test('checkout refuses a non-empty directory and an unknown commit', async () => {
    const dir = path.join(tmp, 'busy');
    await mkdir(dir);
    await writeFile(path.join(dir, 'x'), 'x');
    await assert.rejects(git.checkout(repo.bare, shas.first!, dir), (e: unknown) => e instanceof SlipwayError && e.code === 'conflict');
    const empty = path.join(tmp, 'never');
    await assert.rejects(git.checkout(repo.bare, 'abcdef1234', empty), (e: unknown) => e instanceof SlipwayError && e.code === 'not_found');
    await assert.rejects(git.checkout(repo.bare, 'main', empty), (e: unknown) => e instanceof SlipwayError && e.code === 'invalid_input');
  });

  test('readFile returns content at a commit, null when absent, and refuses directories', async () => {
    assert.equal(await git.readFile(repo.bare, shas.first!, 'slipway.yml'), 'environments:\n  staging:\n    branch: main\n');
    assert.equal(await git.readFile(repo.bare, shas.second!, './src/app.js'), 'console.log(2)\r\nno final newline');
    assert.equal(await git.readFile(repo.bare, shas.first!, 'RELEASE'), null);
    assert.equal(await git.readFile(repo.bare, shas.rel!, 'RELEASE'), 'r\n');
    await assert.rejects(git.readFile(repo.bare, shas.first!, 'src'), (e: unknown) => e instanceof SlipwayError && /is a directory/.test(e.message));
    await assert.rejects(git.readFile(repo.bare, shas.first!, '../etc/passwd'), (e: unknown) => e instanceof SlipwayError && e.code === 'invalid_input');
  });

  test('the mirror lives under the cache directory and is a bare repository', async () => {
    const entries = (await readdir(path.join(tmp, 'cache'))).filter((e) => e.endsWith('.git'));
    assert.ok(entries.length >= 1);
    for (const e of entries) assert.match(e, /^[0-9a-f]{16}\.git$/);
    assert.ok((await stat(path.join(tmp, 'cache', entries[0]!, 'HEAD'))).isFile());
  });
});
