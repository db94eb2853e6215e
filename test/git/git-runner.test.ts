// One git process through platform/exec.ts: its timeout stops git with what it started, and an
// output limit stops it; both become the named errors gitFailure describes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Redactor } from '../../src/core/redactor.js';
import { gitEnv } from '../../src/git/git-env.js';
import { gitFailure } from '../../src/git/git-error.js';
import { runGit } from '../../src/git/git-runner.js';
import { createTestRepo, type TestRepo } from '../support/git-repo.js';
import { waitUntil } from '../support/wait-until.js';

let repo: TestRepo;
before(async () => {
  repo = await createTestRepo();
  await repo.commit({ 'big.txt': 'x'.repeat(1024 * 1024) }, 'A big file');
});
after(async () => {
  await repo.cleanup();
});

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

test('a git that runs past its timeout is stopped with the commands it started', async () => {
  const started = Date.now();
  // An alias runs through a shell; the sleep it starts is a grandchild of ours.
  const result = await runGit(['-c', 'alias.nap=!echo $$ >&2; exec sleep 30', 'nap'], { env: gitEnv(), timeoutMs: 300, cwd: repo.work });
  assert.equal(result.timedOut, true);
  assert.ok(Date.now() - started < 5000);
  const sleeper = Number(result.stderr.trim().split('\n')[0]);
  assert.ok(sleeper > 0, `the alias reported its pid: ${result.stderr}`);
  await waitUntil(`sleep ${sleeper} gone`, () => gone(sleeper), 5000);
  const err = gitFailure('nap', 'the test repo', result, new Redactor(), 300);
  assert.equal(err.code, 'unavailable');
  assert.match(err.message, /did not finish within \d+s and was stopped/);
});

test('output beyond maxStdout stops git and is reported as such', async () => {
  const result = await runGit(['-C', repo.work, 'cat-file', '-p', 'HEAD:big.txt'], { env: gitEnv(), timeoutMs: 30_000, maxStdout: 1000 });
  assert.match(String(result.outputError), /git output exceeded 1000 bytes/);
  const err = gitFailure('cat-file', 'the test repo', result, new Redactor(), 30_000);
  assert.equal(err.code, 'internal');
  assert.match(err.message, /^git cat-file for the test repo failed: git output exceeded 1000 bytes$/);
});

test('stdout collected as bytes, input on stdin', async () => {
  const result = await runGit(['-C', repo.work, 'hash-object', '--stdin'], { env: gitEnv(), timeoutMs: 30_000, input: 'hello\n' });
  assert.equal(result.code, 0);
  assert.equal(result.stdout.toString('utf8'), 'ce013625030ba8dba906f756967f9e9ca394464a\n');
});
