// Issue 12 item 6: webhooks cannot roll an environment back. A real control plane (in-process,
// edge off), a real git repository and correctly signed deliveries over HTTP: a replayed push
// (new delivery id, commit no longer the tip of its ref) deploys nothing and is recorded as stale;
// refused deliveries are counted per app, provider and reason (and answered 429 past a rate)
// instead of stored one by one; a rotation can revoke the old secret at once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { DeliveryView, WebhookResult } from '../../src/core/wire/webhooks.js';
import type { TestRepo } from '../support/git-repo.js';
import { signedPush, type SignedRequest } from '../webhooks/signed-requests.js';
import { createAppRepo } from '../http/app-repo.js';
import { startControlPlane, type TestControlPlane } from '../http/control-plane.js';

describe('webhooks cannot roll an environment back (issue 12 item 6)', { timeout: 180_000 }, () => {
  let cp: TestControlPlane;
  let repo: TestRepo;
  let secret: string;

  const post = async (req: SignedRequest, provider = 'github') => {
    const res = await fetch(`${cp.url}/hooks/${provider}/shop`, { method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(30_000) });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as WebhookResult & { error?: { code: string; message: string } } };
  };
  const deliveries = async () => ((await cp.request('GET', '/api/apps/shop/webhook-deliveries?limit=1000')).json as { deliveries: DeliveryView[] }).deliveries;
  const deploymentCount = async () => ((await cp.request('GET', '/api/deployments?app=shop&limit=1000')).json as { deployments: unknown[] }).deployments.length;

  before(async () => {
    cp = await startControlPlane();
    repo = await createAppRepo();
    assert.equal((await cp.request('POST', '/api/apps', { body: { name: 'shop', repo: repo.bare } })).status, 201);
    secret = ((await cp.request('POST', '/api/apps/shop/webhook-secret', { body: {} })).json as { secret: string }).secret;
    // Deployments stay queued (and cheap): this file is about what gets queued.
    for (const env of ['staging', 'production']) {
      assert.equal((await cp.request('PUT', `/api/apps/shop/environments/${env}/lock`, { body: { reason: 'webhook replay test' } })).status, 200);
    }
  });
  after(async () => {
    await cp?.close();
    await repo?.cleanup();
  });

  test('a signed push replayed under a new delivery id after the branch moved on deploys nothing and is recorded as stale', async () => {
    const old = await repo.git(['rev-parse', 'HEAD']);
    const first = await post(signedPush('github', secret, { ref: 'refs/heads/main', after: old, deliveryId: 'push-1' }));
    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.equal(first.body.outcome, 'queued');
    assert.equal(first.body.deployments.length, 1);

    const newer = await repo.commit({ 'VERSION': '2\n' }, 'Version 2');
    await repo.push('main');
    const before = await deploymentCount();
    // The same signed body (captured in transit, or redelivered by the provider) with a new id.
    const replay = await post(signedPush('github', secret, { ref: 'refs/heads/main', after: old, deliveryId: 'push-1-again' }));
    assert.equal(replay.status, 202, JSON.stringify(replay.body));
    assert.equal(replay.body.outcome, 'stale');
    assert.deepEqual(replay.body.deployments, []);
    assert.match(replay.body.reason, new RegExp(`${old.slice(0, 7)} is no longer the tip of refs/heads/main \\(now ${newer.slice(0, 7)}\\)`));
    assert.equal(await deploymentCount(), before, 'nothing was queued');
    const recorded = (await deliveries()).find((d) => d.deliveryId === 'push-1-again');
    assert.equal(recorded?.outcome, 'stale');
    assert.equal(recorded?.commitSha, old);

    // The current tip still deploys.
    const current = await post(signedPush('github', secret, { ref: 'refs/heads/main', after: newer }));
    assert.equal(current.body.outcome, 'queued');
    assert.equal(await deploymentCount(), before + 1);
  });

  test('a signed push of a commit that is not on its ref at all (tag or branch moved away) is stale', async () => {
    const side = await repo.commit({ 'VERSION': 'side\n' }, 'never pushed to release');
    await repo.push('main');
    // release has never held this commit.
    const res = await post(signedPush('gitea', secret, { ref: 'refs/heads/release', after: side }), 'gitea');
    assert.equal(res.body.outcome, 'stale', JSON.stringify(res.body));
    assert.match(res.body.reason, /refs\/heads\/release/);
  });

  test('refused deliveries are counted per app, provider and reason, not stored one by one; past the rate they get 429; valid ones still pass', async () => {
    const rowsBefore = (await deliveries()).length;
    const sha = await repo.git(['rev-parse', 'HEAD']);
    const statuses: Record<number, number> = {};
    for (let i = 0; i < 100; i++) {
      const res = await post(signedPush('github', 'not-the-secret', { ref: 'refs/heads/main', after: sha, deliveryId: randomUUID() }));
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 429) {
        assert.match(res.body.error?.message ?? '', /too many refused github webhook deliveries for app shop/);
        const wait = Number(res.retryAfter);
        assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 60, `429 with Retry-After in seconds until the minute ends: ${res.retryAfter}`);
      }
    }
    assert.ok((statuses[401] ?? 0) >= 1, JSON.stringify(statuses));
    assert.ok((statuses[429] ?? 0) >= 1, `past the rate refusals are answered 429: ${JSON.stringify(statuses)}`);
    assert.equal((statuses[401] ?? 0) + (statuses[429] ?? 0), 100, JSON.stringify(statuses));

    // A correctly signed delivery during the flood is not crowded out.
    const valid = await post(signedPush('github', secret, { ref: 'refs/heads/main', after: sha }));
    assert.equal(valid.status, 202, JSON.stringify(valid.body));
    assert.equal(valid.body.outcome, 'queued');

    const rows = await deliveries();
    const rejected = rows.filter((d) => d.outcome === 'rejected');
    assert.equal(rejected.length, 1, `one counted row for github's bad signatures: ${JSON.stringify(rejected)}`);
    // Every refusal answered 401 is counted; those answered 429 are added to the next recorded one
    // (in the next minute: all of them, should the loop have crossed into one).
    const counted = rejected[0]?.count ?? 0;
    assert.ok(counted >= (statuses[401] ?? 0) && counted <= 100, `counted ${counted} of ${JSON.stringify(statuses)}`);
    assert.match(rejected[0]?.reason ?? '', /does not match the body/);
    assert.equal(rows.length, rowsBefore + 2, '100 refusals added one row (and the valid delivery its own)');

    // Another provider's refusals are counted apart.
    assert.equal((await post(signedPush('gitea', 'wrong', { ref: 'refs/heads/main', after: sha }), 'gitea')).status, 401);
    assert.equal((await deliveries()).filter((d) => d.outcome === 'rejected').length, 2);
  });

  test('rotate with revokeOld: the old secret is refused at once; a plain rotation keeps a grace period', async () => {
    const sha = await repo.git(['rev-parse', 'HEAD']);
    const graceful = await cp.request('POST', '/api/apps/shop/webhook-secret', { body: { rotate: true } });
    assert.equal(graceful.status, 201, graceful.text);
    const second = (graceful.json as { secret: string }).secret;
    assert.equal((await post(signedPush('gitlab', secret, { ref: 'refs/heads/other', after: sha }), 'gitlab')).status, 202, 'the replaced secret works during the grace period');

    const revoked = await cp.request('POST', '/api/apps/shop/webhook-secret', { body: { rotate: true, revokeOld: true } });
    assert.equal(revoked.status, 201, revoked.text);
    const third = (revoked.json as { secret: string; previousValidUntil: string | null }).secret;
    assert.equal((revoked.json as { previousValidUntil: string | null }).previousValidUntil, null);
    for (const old of [secret, second]) {
      assert.equal((await post(signedPush('gitlab', old, { ref: 'refs/heads/other', after: sha }), 'gitlab')).status, 401, 'a revoked secret is refused at once');
    }
    assert.equal((await post(signedPush('gitlab', third, { ref: 'refs/heads/other', after: sha }), 'gitlab')).status, 202);
    const alone = await cp.request('POST', '/api/apps/shop/webhook-secret', { body: { revokeOld: true } });
    assert.equal(alone.status, 400);
    assert.match(alone.text, /revokeOld goes with rotate/);
  });
});
