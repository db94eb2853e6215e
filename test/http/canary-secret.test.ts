// A canary secret must appear nowhere: not in any API response (GET endpoints, error messages of
// requests built to echo it), not in the server log, not in the deployment log (where the app's
// release command prints it, `[redacted]` stands instead), and not in plaintext on disk.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestRepo } from '../support/git-repo.js';
import { createAppRepo } from './app-repo.js';
import { startControlPlane, type TestControlPlane } from './control-plane.js';

const TERMINAL = ['succeeded', 'failed', 'rolled_back', 'compensation_failed', 'cancelled', 'superseded'];

describe('canary secret', () => {
  const canary = `canary-${randomUUID()}`;
  let cp: TestControlPlane;
  let repo: TestRepo;
  let deploymentId = '';
  const logLines: string[] = [];

  before(async () => {
    repo = await createAppRepo();
    cp = await startControlPlane({ edge: true });
    const created = await cp.request('POST', '/api/apps', { body: { name: 'shop', repo: repo.bare } });
    assert.equal(created.status, 201, created.text);
    const put = await cp.request('PUT', '/api/apps/shop/secrets/API_KEY', { body: { value: canary } });
    assert.equal(put.status, 200, put.text);
  });

  after(async () => {
    await cp?.close();
    await repo?.cleanup();
  });

  test('requests built to echo the canary are refused without it', async () => {
    const attempts: { method: string; path: string; body?: unknown; raw?: string; type?: string }[] = [
      { method: 'PUT', path: '/api/apps/shop/secrets/API_KEY', body: { value: canary, [canary]: canary } },
      { method: 'PUT', path: '/api/apps/shop/secrets/API_KEY', body: { value: [canary] } },
      { method: 'PUT', path: '/api/apps/shop/secrets/API_KEY', body: { value: { nested: canary } } },
      { method: 'PUT', path: '/api/apps/shop/secrets/API_KEY', body: { value: canary, env: canary } },
      { method: 'PUT', path: '/api/apps/shop/secrets/API_KEY', raw: `{"value": "${canary}"`, type: 'application/json' },
      { method: 'PUT', path: '/api/apps/shop/secrets/API_KEY', raw: `{"value": "${canary}", "value": }`, type: 'application/json' },
      { method: 'PUT', path: '/api/apps/shop/secrets/API_KEY', raw: canary, type: 'text/plain' },
      { method: 'PUT', path: `/api/apps/shop/secrets/${canary}`, body: { value: canary } },
      { method: 'PUT', path: `/api/apps/${canary}/secrets/API_KEY`, body: { value: canary } },
      { method: 'POST', path: '/api/apps', body: { name: canary, repo: canary } },
      { method: 'POST', path: '/api/apps', body: { name: 'ghost', repo: `/nonexistent/${canary}` } },
      // (A deploy of `ref: <canary>` is accepted and queued by design and shows its ref as given:
      // a value typed into a non-secret field is the caller's choice, so it is not tried here.)
      { method: 'GET', path: `/api/deployments/${canary}` },
      { method: 'GET', path: `/api/deployments?app=shop&env=${canary}` },
      { method: 'GET', path: `/api/audit?target=${canary}&limit=${canary}` },
    ];
    for (const a of attempts) {
      const res = await cp.request(a.method, a.path, {
        ...(a.raw !== undefined ? { rawBody: a.raw, headers: { 'content-type': a.type ?? 'application/json' } } : {}),
        ...(a.body !== undefined ? { body: a.body } : {}),
      });
      assert.ok(res.status >= 400 && res.status < 500, `${a.method} ${a.path}: expected a 4xx, got ${res.status}: ${res.text}`);
      assert.ok(!res.text.includes(canary), `${a.method} ${a.path} echoed the canary: ${res.text}`);
    }
  });

  test('a deployment whose release command prints the secret succeeds and logs [redacted]', async () => {
    const res = await cp.request('POST', '/api/apps/shop/environments/staging/deployments', { body: {} });
    assert.equal(res.status, 202, res.text);
    deploymentId = (res.json as { deployment: { id: string } }).deployment.id;
    const deadline = Date.now() + 180_000;
    let status = '';
    while (Date.now() < deadline) {
      const d = await cp.request('GET', `/api/deployments/${deploymentId}`);
      status = (d.json as { deployment: { status: string } }).deployment.status;
      if (TERMINAL.includes(status)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const log = await cp.request('GET', `/api/deployments/${deploymentId}/log?limit=10000`);
    const lines = (log.json as { lines: { text: string }[] }).lines.map((l) => l.text);
    logLines.push(...lines);
    assert.equal(status, 'succeeded', `deployment ended ${status}; log:\n${lines.join('\n')}`);
    assert.ok(
      lines.some((l) => l.includes('release sees API_KEY=[redacted]')),
      `the release command's output should be in the log, redacted:\n${lines.join('\n')}`,
    );
    const follow = await cp.request('GET', `/api/deployments/${deploymentId}/log?follow=1`);
    assert.equal(follow.status, 200);
    assert.match(follow.text, /\[redacted\]/);
  });

  test('no GET endpoint, server log, deployment log or file in the data dir holds the canary', async () => {
    const gets = [
      '/healthz',
      '/api/openapi.json',
      '/api/apps',
      '/api/apps/shop',
      '/api/status',
      '/api/status?app=shop',
      '/api/apps/shop/environments/staging/releases',
      '/api/deployments?limit=1000',
      `/api/deployments/${deploymentId}`,
      `/api/deployments/${deploymentId}/log?limit=10000`,
      `/api/deployments/${deploymentId}/log?follow=1`,
      '/api/apps/shop/secrets',
      '/api/apps/shop/secrets?env=staging',
      '/api/locks',
      '/api/audit?limit=1000',
    ];
    for (const p of gets) {
      const res = await cp.request('GET', p);
      assert.equal(res.status, 200, `GET ${p}: ${res.text}`);
    }
    const secrets = await cp.request('GET', '/api/apps/shop/secrets');
    assert.deepEqual((secrets.json as { secrets: { name: string }[] }).secrets.map((s) => s.name), ['API_KEY']);

    for (const r of cp.responses) assert.ok(!r.text.includes(canary), `a response holds the canary: ${r.text.slice(0, 2000)}`);
    assert.ok(cp.logs().length > 0, 'the server log was captured');
    assert.ok(!cp.logs().includes(canary), 'the server log holds the canary');
    assert.ok(logLines.length > 0 && !logLines.some((l) => l.includes(canary)), 'the deployment log holds the canary');
  });

  // TODO until src/server.ts builds the audit trail with the redactor:
  //   new AuditTrail(store, (t) => redactor.redact(t))
  // (the refused requests above make the audit trail store the canary in slipway.db otherwise).
  test('no file in the data dir holds the canary in plaintext', async () => {
    const leaks: string[] = [];
    for (const file of await filesUnder(cp.dataDir)) {
      const bytes = await readFile(file).catch(() => null);
      if (bytes?.includes(canary)) leaks.push(path.relative(cp.dataDir, file));
    }
    assert.deepEqual(leaks, [], 'files in the data dir hold the canary in plaintext');
  });
});

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
