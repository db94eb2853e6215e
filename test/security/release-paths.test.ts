// Issue 12 item 7: no path escapes the release. Real `slipway server` (and edge and supervisor)
// processes deploy repositories whose links point outside (absolute, "../..", chains), a build
// that leaves such a link, in-tree links where shared paths go, and a shared dir in which the app
// planted a link. Whatever the repository holds, `shared:` linking and staging never touch
// anything outside the release and the app's shared dir: a directory outside (the "victim")
// stays exactly as it was, and each refusal names the entry.
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApiClient } from '../../src/cli/api-client.js';
import { SERVER_JS } from '../http/app-repo.js';
import { stopControlPlane } from '../support/cleanup.js';
import { apiClient, waitTerminal } from '../support/deploy-client.js';
import { createTestRepo, type TestRepo } from '../support/git-repo.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

function spec(opts: { dirs?: string[]; files?: string[]; build?: string[][] }): string {
  return `driver: process
processes:
  web:
    command: ["node", "server.js"]
    http: true
    instances: 1
    health: { path: /healthz, interval: 200ms, timeout: 1s, retries: 3, start_period: 20s }
    min_uptime: 300ms
    stop_grace: 2s
build: ${JSON.stringify(opts.build ?? [])}
shared: { dirs: ${JSON.stringify(opts.dirs ?? [])}, files: ${JSON.stringify(opts.files ?? [])} }
environments:
  staging: { branch: main }
`;
}

/** Every path under `dir` with what it is (links with their targets, files with their content). */
async function snapshot(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(path.join(dir, prefix))).sort()) {
    const rel = path.join(prefix, name);
    const full = path.join(dir, rel);
    const st = await lstat(full);
    if (st.isSymbolicLink()) out.push(`${rel} -> ${await readlink(full)}`);
    else if (st.isDirectory()) out.push(`${rel}/`, ...(await snapshot(dir, rel)));
    else out.push(`${rel}: ${await readFile(full, 'utf8')}`);
  }
  return out;
}

describe('no path escapes the release (real server process)', { timeout: 240_000 }, () => {
  let dataDir: string;
  let victim: string;
  let victimBefore: string[];
  let server: ServerProcess | undefined;
  let client: ApiClient;
  const repos: TestRepo[] = [];

  /** An app of its own whose repository holds `files` and the symbolic `links` (path -> target). */
  async function app(name: string, files: Record<string, string>, links: Record<string, string> = {}): Promise<void> {
    const repo = await createTestRepo();
    repos.push(repo);
    for (const [link, target] of Object.entries(links)) {
      await mkdir(path.dirname(path.join(repo.work, link)), { recursive: true });
      await symlink(target, path.join(repo.work, link));
      await repo.git(['add', '--', link]);
    }
    await repo.commit({ 'server.js': SERVER_JS, 'package.json': '{ "name": "app", "private": true, "type": "module" }\n', ...files }, 'first');
    await repo.push('main');
    await client.createApp({ name, repo: repo.bare });
  }

  async function deploy(name: string): Promise<{ status: string; error: string }> {
    const { deployment } = await client.deploy(name, 'staging');
    const done = await waitTerminal(client, deployment.id, 90_000);
    return { status: done.status, error: done.error ?? '' };
  }

  async function assertVictimUntouched(): Promise<void> {
    assert.deepEqual(await snapshot(victim), victimBefore, 'nothing outside the release and the shared dir changed');
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-release-paths-'));
    victim = await mkdtemp(path.join(os.tmpdir(), 'slipway-victim-'));
    await mkdir(path.join(victim, 'uploads'));
    await writeFile(path.join(victim, 'uploads', 'precious.txt'), 'precious\n');
    await writeFile(path.join(victim, 'keep.txt'), 'keep\n');
    victimBefore = await snapshot(victim);
    server = await startServerProcess({ dataDir });
    client = apiClient(server.url, server.token);
  });

  after(async () => {
    await stopControlPlane(server, dataDir);
    for (const repo of repos) await repo.cleanup();
    await rm(victim, { recursive: true, force: true });
  });

  test('a repository link to an absolute path outside is refused, naming it; nothing outside is touched', async () => {
    await app('abs', { 'slipway.yml': spec({ dirs: ['public/uploads'] }) }, { public: victim });
    const r = await deploy('abs');
    assert.equal(r.status, 'failed', r.error);
    assert.match(r.error, /entry "public" is a symbolic link to the absolute path/);
    await assertVictimUntouched();
  });

  test('a repository link up and out ("../..") is refused', async () => {
    const up = `${'../'.repeat(24)}${victim.slice(1)}`;
    await app('rel', { 'slipway.yml': spec({ dirs: ['storage/cache'], files: ['storage/.env'] }) }, { storage: up });
    const r = await deploy('rel');
    assert.equal(r.status, 'failed', r.error);
    assert.match(r.error, /entry "storage" is a symbolic link to .* outside the tree/);
    await assertVictimUntouched();
  });

  test('a chain of links that ends outside is refused', async () => {
    await app('chain', { 'slipway.yml': spec({ files: ['a/.env'] }) }, { a: 'b', b: 'c', c: victim });
    const r = await deploy('chain');
    assert.equal(r.status, 'failed', r.error);
    assert.match(r.error, /entry "c" is a symbolic link to the absolute path/);
    await assertVictimUntouched();
  });

  test('a link to outside left by the build is refused before the artifact is packed', async () => {
    await app('built', { 'slipway.yml': spec({ dirs: ['public/uploads'], build: [['ln', '-s', victim, 'public']] }) });
    const r = await deploy('built');
    assert.equal(r.status, 'failed', r.error);
    assert.match(r.error, /the build output: entry "public" is a symbolic link to the absolute path/);
    await assertVictimUntouched();
  });

  test('an in-tree link above a shared path is refused; an in-tree link where a shared dir goes is replaced, not followed', async () => {
    await app('above', { 'slipway.yml': spec({ dirs: ['data/uploads'] }), 'public/index.html': 'hi\n' }, { data: 'public' });
    const above = await deploy('above');
    assert.equal(above.status, 'failed', above.error);
    assert.match(above.error, /shared path "data\/uploads": "data" in the release is a symbolic link/);

    await app('where', { 'slipway.yml': spec({ dirs: ['uploads'] }), 'public/index.html': 'hi\n' }, { uploads: 'public' });
    const where = await deploy('where');
    assert.equal(where.status, 'succeeded', where.error);
    const envDir = path.join(dataDir, 'apps', 'where', 'staging');
    const release = path.join(envDir, 'current');
    assert.equal(await readlink(path.join(release, 'uploads')), path.join(envDir, 'shared', 'uploads'));
    assert.equal(await readFile(path.join(release, 'public', 'index.html'), 'utf8'), 'hi\n', 'the link target in the release was left alone');
    await assertVictimUntouched();
  });

  test('a link the app planted in its shared dir is never followed by the next deploy', async () => {
    await app('planted', { 'slipway.yml': spec({ dirs: ['conf/cache'], files: ['conf/.env'] }) });
    const first = await deploy('planted');
    assert.equal(first.status, 'succeeded', first.error);
    // What the app (which may write its shared dir) does: replace a shared directory with a link out.
    const conf = path.join(dataDir, 'apps', 'planted', 'staging', 'shared', 'conf');
    await rm(conf, { recursive: true });
    await symlink(victim, conf);
    const second = await deploy('planted');
    assert.notEqual(second.status, 'succeeded', second.error);
    assert.match(second.error, /shared path "conf\/cache": "conf" in the shared dir is a symbolic link/);
    await assertVictimUntouched();
  });
});
