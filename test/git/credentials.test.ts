import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SlipwayError } from '../../src/core/errors.js';
import { Redactor } from '../../src/core/redactor.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { GitSource } from '../../src/git/index.js';
import { gitFailure } from '../../src/git/git-error.js';
import { createTestRepo, type TestRepo } from '../support/git-repo.js';
import { startHttpGitServer, type HttpGitServer } from './http-git-server.js';

const CANARY = `canary-${randomBytes(12).toString('hex')}`;
const USER = 'x-access-token';
const BASIC = Buffer.from(`${USER}:${CANARY}`).toString('base64');

/** Command lines of all processes right now (those we may read). */
async function cmdlines(): Promise<Array<{ pid: string; argv: string }>> {
  const out: Array<{ pid: string; argv: string }> = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      out.push({ pid, argv: (await readFile(`/proc/${pid}/cmdline`)).toString('utf8').replaceAll('\0', ' ') });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
  }
  return out;
}

describe('git credentials', () => {
  let repo: TestRepo;
  let server: HttpGitServer;
  let tmp: string;
  let url: string;
  let head: string;

  before(async () => {
    repo = await createTestRepo();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'slipway-git-cred-'));
    // A large-ish repository (about 16 MB of incompressible blobs) so that a fetch takes a while.
    await mkdir(path.join(repo.work, 'blobs'));
    for (let i = 0; i < 256; i++) await writeFile(path.join(repo.work, 'blobs', `b${i}.bin`), randomBytes(64 * 1024));
    await repo.git(['add', 'blobs']);
    head = await repo.commit({ 'slipway.yml': 'x: 1\n' }, 'Big commit');
    await repo.push('main');
    server = await startHttpGitServer(repo.root, USER, CANARY);
    url = `${server.base}origin.git`;
  });

  after(async () => {
    await server.close();
    await repo.cleanup();
    await rm(tmp, { recursive: true, force: true });
  });

  test('a token reaches the server as a header and never appears in process command lines or on disk', async () => {
    const cacheDir = path.join(tmp, 'cache-token');
    const git = new GitSource({ cacheDir });
    let polling = true;
    const seenGit = new Set<string>();
    const leaks: string[] = [];
    const poller = (async () => {
      while (polling) {
        for (const p of await cmdlines()) {
          if (/\bgit\b|git-remote/.test(p.argv)) seenGit.add(p.pid);
          if (p.argv.includes(CANARY) || p.argv.includes(BASIC)) leaks.push(p.argv);
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    try {
      const creds = { kind: 'token' as const, token: new Sensitive(CANARY) };
      const resolved = await git.resolve({ url, credentials: creds }, 'main');
      assert.equal(resolved.sha, head);
      await git.fetch({ url, credentials: creds });
    } finally {
      polling = false;
      await poller;
    }
    assert.deepEqual(leaks, []);
    assert.ok(seenGit.size >= 2, `the poller saw ${seenGit.size} git processes; it must observe the fetch to prove anything`);
    assert.ok(server.authHeaders.includes(`Basic ${BASIC}`));
    for (const f of await allFiles(cacheDir)) {
      const content = await readFile(f);
      assert.ok(!content.includes(CANARY) && !content.includes(BASIC), `secret found in ${f}`);
    }
    assert.equal(await git.readFile({ url }, head, 'slipway.yml'), 'x: 1\n'); // local reads need no credentials
  });

  test('credentialsFor supplies the token for a repository given as a plain string (the SourceProvider port)', async () => {
    const asked: string[] = [];
    const git = new GitSource({
      cacheDir: path.join(tmp, 'cache-lookup'),
      credentialsFor: async (r) => {
        asked.push(r);
        return { kind: 'token', token: new Sensitive(CANARY) };
      },
    });
    assert.equal((await git.resolve(url, 'main')).sha, head);
    assert.deepEqual(asked, [url]);
    const dir = path.join(tmp, 'co-lookup');
    await git.checkout(url, head, dir);
    assert.equal(await readFile(path.join(dir, 'slipway.yml'), 'utf8'), 'x: 1\n');
  });

  test('a wrong or missing token is an unauthorized error that names the fix and leaks nothing', async () => {
    const git = new GitSource({ cacheDir: path.join(tmp, 'cache-wrong') });
    const wrong = `wrong-${CANARY}`;
    await assert.rejects(git.resolve({ url, credentials: { kind: 'token', token: new Sensitive(wrong) } }, 'main'), (e: unknown) => {
      assert.ok(e instanceof SlipwayError);
      assert.equal(e.code, 'unauthorized');
      assert.match(e.message, /git token/);
      const all = JSON.stringify({ m: e.message, d: e.details, s: e.stack });
      assert.ok(!all.includes(CANARY) && !all.includes(Buffer.from(`${USER}:${wrong}`).toString('base64')));
      return true;
    });
    await assert.rejects(git.resolve(url, 'main'), (e: unknown) => e instanceof SlipwayError && e.code === 'unauthorized');
  });

  test('a token is refused for non-https repositories, a deploy key for https ones', async () => {
    const git = new GitSource({ cacheDir: path.join(tmp, 'cache-kinds') });
    await assert.rejects(git.resolve({ url: repo.bare, credentials: { kind: 'token', token: new Sensitive(CANARY) } }, 'main'), (e: unknown) => e instanceof SlipwayError && e.code === 'invalid_input' && !e.message.includes(CANARY));
    await assert.rejects(git.resolve({ url, credentials: { kind: 'ssh_key', privateKey: new Sensitive(CANARY) } }, 'main'), (e: unknown) => e instanceof SlipwayError && e.code === 'invalid_input' && !e.message.includes(CANARY));
  });

  test('a deploy key is written to a private temp file that is gone afterwards, and never in argv', async () => {
    const keyBody = `-----BEGIN OPENSSH PRIVATE KEY-----\n${CANARY}${CANARY}\n-----END OPENSSH PRIVATE KEY-----\n`;
    const before = new Set((await readdir(os.tmpdir())).filter((e) => e.startsWith('slipway-ssh-')));
    const git = new GitSource({ cacheDir: path.join(tmp, 'cache-ssh'), networkTimeoutMs: 20_000 });
    // Nothing listens on port 1: ssh fails fast, after git has been given the key.
    await assert.rejects(git.resolve({ url: 'ssh://git@127.0.0.1:1/repo.git', credentials: { kind: 'ssh_key', privateKey: new Sensitive(keyBody) } }, 'main'), (e: unknown) => {
      assert.ok(e instanceof SlipwayError);
      assert.equal(e.code, 'unavailable');
      assert.ok(!JSON.stringify({ m: e.message, d: e.details }).includes(CANARY));
      return true;
    });
    const left = (await readdir(os.tmpdir())).filter((e) => e.startsWith('slipway-ssh-') && !before.has(e));
    assert.deepEqual(left, []);
  });

  test('errors from git are redacted before they are thrown', () => {
    const result = { code: 128, signal: null, stdout: Buffer.alloc(0), stderr: `fatal: unable to access 'https://x/': header Authorization: Basic ${BASIC} token ${CANARY}\n`, timedOut: false, outputError: null };
    const err = gitFailure('fetch', 'https://x/', result, new Redactor([CANARY, BASIC]), 1000);
    assert.ok(!err.message.includes(CANARY) && !err.message.includes(BASIC));
    assert.match(err.message, /\[redacted\]/);
  });
});
