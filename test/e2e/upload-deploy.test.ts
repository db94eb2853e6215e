// Deploying an uploaded tarball through the HTTP API, and hostile archives refused at the door.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import type { ApiClient } from '../../src/cli/api-client.js';
import { rawTar, type RawEntry } from '../sources/raw-tar.js';
import { apiClient, waitTerminal } from '../support/deploy-client.js';
import { projectRoot } from '../support/entry.js';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { stopControlPlane } from '../support/cleanup.js';

describe('uploaded tarballs', { timeout: 300_000 }, () => {
  let dataDir: string;
  let app: FixtureApp;
  let server: ServerProcess;
  let client: ApiClient;
  let fixture: RawEntry[];

  async function upload(body: Buffer) {
    return request(`${server.url}/api/apps/web/environments/staging/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/gzip' },
      body,
    });
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-upload-'));
    app = await createFixtureApp();
    await app.release(1);
    server = await startServerProcess({ dataDir });
    client = apiClient(server.url, server.token);
    await client.createApp({ name: 'web', repo: app.repo.bare });
    const dir = path.join(projectRoot, 'test', 'fixtures', 'apps', 'web');
    fixture = [];
    for (const name of await readdir(dir)) {
      const body = name === 'VERSION' ? '42\n' : await readFile(path.join(dir, name));
      fixture.push({ path: name, body });
    }
  });

  after(async () => {
    await stopControlPlane(server, dataDir);
    await app?.repo.cleanup();
  });

  test('a tarball of the app deploys and serves', async () => {
    const res = await upload(rawTar(fixture, { gzip: true }));
    const text = await res.body.text();
    assert.equal(res.statusCode, 202, text);
    const { deployment } = JSON.parse(text) as { deployment: { id: string; trigger: string } };
    assert.equal(deployment.trigger, 'upload');
    const done = await waitTerminal(client, deployment.id);
    assert.equal(done.status, 'succeeded', done.error ?? '');
    const edge = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { port: number };
    const page = await request(`http://127.0.0.1:${edge.port}/`, { headers: { host: 'web.test' } });
    assert.equal(await page.body.text(), 'v42');
    assert.equal(existsSync(path.join(dataDir, 'uploads')) ? (await readdir(path.join(dataDir, 'uploads'))).length : 0, 0, 'the upload is removed after use');
  });

  test('a release tarball with one top-level directory deploys its contents under its version name', async () => {
    const top: RawEntry[] = [
      { path: 'DDGC-0.940/', type: '5' },
      ...fixture.map((e) => ({ ...e, path: `DDGC-0.940/${e.path}`, ...(e.path === 'VERSION' ? { body: '940\n' } : {}) })),
    ];
    const res = await upload(rawTar(top, { gzip: true }));
    const text = await res.body.text();
    assert.equal(res.statusCode, 202, text);
    const { deployment } = JSON.parse(text) as { deployment: { id: string } };
    const done = await waitTerminal(client, deployment.id);
    assert.equal(done.status, 'succeeded', done.error ?? '');
    const edge = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { port: number };
    const page = await request(`http://127.0.0.1:${edge.port}/`, { headers: { host: 'web.test' } });
    assert.equal(await page.body.text(), 'v940');
    const status = await client.status();
    const staging = status.environments.find((e) => e.app === 'web' && e.environment === 'staging');
    assert.equal(staging?.live?.commitSubject, 'DDGC-0.940', 'the release is known by its version name');
  });

  const hostile: Record<string, RawEntry[]> = {
    'path traversal': [{ path: '../../escaped-by-upload.txt', body: 'x' }],
    'absolute path': [{ path: '/tmp/escaped-by-upload.txt', body: 'x' }],
    'symlink escaping the tree': [{ path: 'link', type: '2', linkpath: '/etc' }, { path: 'link/escaped-by-upload.txt', body: 'x' }],
    'device file': [{ path: 'dev', type: '3' }],
  };
  for (const [name, entries] of Object.entries(hostile)) {
    test(`refused before anything is queued: ${name}`, async () => {
      const before = (await client.listDeployments({ app: 'web', limit: 100 })).deployments.length;
      const res = await upload(rawTar([...fixture, ...entries], { gzip: true }));
      const body = (await res.body.json()) as { error: { code: string; message: string } };
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(body.error.code, 'invalid_input');
      assert.match(body.error.message, /uploaded archive/);
      assert.equal((await client.listDeployments({ app: 'web', limit: 100 })).deployments.length, before, 'nothing queued');
      assert.ok(!existsSync('/tmp/escaped-by-upload.txt') && !existsSync(path.join(dataDir, '..', 'escaped-by-upload.txt')));
      assert.ok(!existsSync('/etc/escaped-by-upload.txt'));
      const left = existsSync(path.join(dataDir, 'work')) ? await readdir(path.join(dataDir, 'work')) : [];
      assert.deepEqual(left.filter((n) => n.startsWith('slipway-extract-')), [], 'no trial extraction left behind');
    });
  }

  test('a body over the upload limit is refused with 413 and not kept', async () => {
    const chunk = Buffer.alloc(1024 * 1024);
    async function* body() {
      for (let i = 0; i < 600; i++) yield chunk;
    }
    const res = await request(`${server.url}/api/apps/web/environments/staging/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/gzip' },
      body: Readable.from(body()),
    }).catch((err: Error) => err);
    if (!(res instanceof Error)) {
      assert.equal(res.statusCode, 413);
      await res.body.dump();
    }
    const uploads = existsSync(path.join(dataDir, 'uploads')) ? await readdir(path.join(dataDir, 'uploads')) : [];
    assert.deepEqual(uploads, [], 'the partial upload was removed');
  });
});
