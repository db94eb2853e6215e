// GET /api/status (all apps) is served from a cached, pre-encoded body with a strong ETag: an
// unchanged status answers 304 to If-None-Match, and any mutation gives a new body and tag.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestRepo } from '../support/git-repo.js';
import { createAppRepo } from './app-repo.js';
import { startControlPlane, type TestControlPlane } from './control-plane.js';

describe('GET /api/status: ETag and 304', () => {
  let cp: TestControlPlane;
  let repo: TestRepo;

  before(async () => {
    repo = await createAppRepo();
    cp = await startControlPlane();
  });

  after(async () => {
    await cp?.close();
    await repo?.cleanup();
  });

  const status = (headers: Record<string, string> = {}) =>
    fetch(`${cp.url}/api/status`, { headers: { authorization: `Bearer ${cp.token}`, ...headers }, signal: AbortSignal.timeout(10_000) });

  test('an unchanged status answers 304 to its own tag; a mutation changes body and tag', async () => {
    assert.equal((await cp.request('POST', '/api/apps', { body: { name: 'shop', repo: repo.bare } })).status, 201);
    const first = await status();
    assert.equal(first.status, 200);
    assert.match(first.headers.get('content-type') ?? '', /^application\/json/);
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[A-Za-z0-9_-]+"$/);
    const body = (await first.json()) as { environments: { app: string }[] };
    assert.ok(body.environments.some((e) => e.app === 'shop'));

    const again = await status();
    assert.equal(again.headers.get('etag'), etag, 'the same status has the same tag');
    assert.deepEqual(await again.json(), body);

    for (const inm of [etag!, `W/${etag!}`, `"other", ${etag!}`, '*']) {
      const notModified = await status({ 'if-none-match': inm });
      assert.equal(notModified.status, 304, `If-None-Match: ${inm}`);
      assert.equal(notModified.headers.get('etag'), etag);
      assert.equal(await notModified.text(), '');
    }
    assert.equal((await status({ 'if-none-match': '"something-else"' })).status, 200);

    assert.equal((await cp.request('POST', '/api/apps', { body: { name: 'blog', repo: repo.bare } })).status, 201);
    const changed = await status({ 'if-none-match': etag! });
    assert.equal(changed.status, 200, 'a mutation invalidates the cached status');
    assert.notEqual(changed.headers.get('etag'), etag);
    const apps = ((await changed.json()) as { environments: { app: string }[] }).environments.map((e) => e.app);
    assert.ok(apps.includes('blog') && apps.includes('shop'));
  });

  test('an unauthenticated request gets 401, not 304, even with the current tag', async () => {
    const etag = (await status()).headers.get('etag')!;
    const res = await fetch(`${cp.url}/api/status`, { headers: { 'if-none-match': etag }, signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 401);
  });
});
