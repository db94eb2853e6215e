// Waiting is never silent: a deploy queued behind a lock says at once what it waits for (who
// locked the environment, why, since when), and the follow stream carries heartbeats while quiet.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FollowEvent } from '../../src/core/wire/index.js';
import type { TestRepo } from '../support/git-repo.js';
import { createAppRepo } from './app-repo.js';
import { startControlPlane, type TestControlPlane } from './control-plane.js';

describe('a queued deployment explains itself', () => {
  let cp: TestControlPlane;
  let repo: TestRepo;

  before(async () => {
    repo = await createAppRepo();
    cp = await startControlPlane();
    assert.equal((await cp.request('POST', '/api/apps', { body: { name: 'shop', repo: repo.bare } })).status, 201);
  });

  after(async () => {
    await cp?.close();
    await repo?.cleanup();
  });

  test('locked by hand: the first events of the follow stream say by whom, why and how to go on', async () => {
    assert.equal((await cp.request('PUT', '/api/apps/shop/environments/staging/lock', { body: { reason: 'db maintenance' } })).status, 200);
    const queued = await cp.request('POST', '/api/apps/shop/environments/staging/deployments', { body: {} });
    assert.equal(queued.status, 202, queued.text);
    const id = (queued.json as { deployment: { id: string } }).deployment.id;

    const controller = new AbortController();
    const res = await fetch(`${cp.url}/api/deployments/${id}/log?follow=1`, { headers: { authorization: `Bearer ${cp.token}` }, signal: controller.signal });
    assert.equal(res.status, 200);
    const reader = res.body?.getReader();
    assert.ok(reader);
    const events: FollowEvent[] = [];
    let buffered = '';
    const decoder = new TextDecoder();
    // The waiting event comes with the first lines (no polling interval to wait out); the
    // deadline only keeps a broken build from hanging here.
    const deadline = setTimeout(() => controller.abort(), 10_000);
    try {
      while (!events.some((e) => e.type === 'waiting')) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as FollowEvent);
      }
    } finally {
      clearTimeout(deadline);
      controller.abort();
    }
    const waiting = events.find((e): e is Extract<FollowEvent, { type: 'waiting' }> => e.type === 'waiting');
    assert.ok(waiting, JSON.stringify(events));
    assert.match(waiting.reason, /^the environment was locked by admin since \d{4}-\d\d-\d\dT[\d:.]+Z: "db maintenance"; it starts once they unlock it/);
    assert.equal(events.findIndex((e) => e.type === 'waiting'), events.length - 1);
    assert.ok(events.length <= 3, `the explanation is among the first events: ${JSON.stringify(events)}`);

    assert.equal((await cp.request('POST', `/api/deployments/${id}/cancel`)).status, 202);
    assert.equal((await cp.request('DELETE', '/api/apps/shop/environments/staging/lock')).status, 204);
  });
});
