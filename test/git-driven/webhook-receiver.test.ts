// The webhook receiver over real HTTP against an in-process control plane (edge off): auth,
// ping, replay, size limit, unknown routes, unmapped refs, and secret creation and rotation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import type { TestRepo } from '../support/git-repo.js';
import { signed, signedPush } from '../webhooks/signed-requests.js';
import { createAppRepo } from '../http/app-repo.js';
import { startControlPlane, type TestControlPlane } from '../http/control-plane.js';

describe('webhook receiver', { timeout: 120_000 }, () => {
  let cp: TestControlPlane;
  let repo: TestRepo;
  let sha: string;

  const post = async (provider: string, app: string, req: { headers: Record<string, string>; body: Buffer }) => {
    const res = await request(`${cp.url}/hooks/${provider}/${app}`, { method: 'POST', headers: req.headers, body: req.body });
    const text = await res.body.text();
    return { status: res.statusCode, json: JSON.parse(text) as Record<string, unknown> };
  };
  const deliveries = async () => ((await cp.request('GET', '/api/apps/shop/webhook-deliveries')).json as { deliveries: { outcome: string; reason: string }[] }).deliveries;

  before(async () => {
    cp = await startControlPlane();
    repo = await createAppRepo();
    sha = await repo.git(['rev-parse', 'HEAD']);
    assert.equal((await cp.request('POST', '/api/apps', { body: { name: 'shop', repo: repo.bare } })).status, 201);
  });
  after(async () => {
    await cp?.close();
    await repo?.cleanup();
  });

  test('before a secret exists every delivery is refused (401) and recorded as rejected', async () => {
    const res = await post('github', 'shop', signedPush('github', 'anything', { ref: 'refs/heads/main', after: sha }));
    assert.equal(res.status, 401);
    assert.match(JSON.stringify(res.json), /no webhook secret is set/);
    assert.equal((await deliveries())[0]?.outcome, 'rejected');
  });

  test('the secret is shown once, never listed; a second create without rotate is a conflict', async () => {
    const made = await cp.request('POST', '/api/apps/shop/webhook-secret', { body: {} });
    assert.equal(made.status, 201);
    const secret = (made.json as { secret: string }).secret;
    assert.ok(secret.length >= 40);
    const info = await cp.request('GET', '/api/apps/shop/webhook-secret');
    assert.equal(info.status, 200);
    assert.ok(!info.text.includes(secret));
    assert.equal((info.json as { set: boolean }).set, true);
    assert.equal((await cp.request('POST', '/api/apps/shop/webhook-secret', { body: {} })).status, 409);
    assert.ok(!cp.logs().includes(secret), 'the secret never reaches the server log');

    // ping, unmapped branch, deleted branch, no content type
    const ping = await post('github', 'shop', signed('github', secret, Buffer.from('{"zen":"hi"}'), 'ping'));
    assert.equal(ping.status, 200);
    assert.equal(ping.json['outcome'], 'ping');
    const unmapped = await post('gitea', 'shop', signedPush('gitea', secret, { ref: 'refs/heads/feature', after: sha }));
    assert.equal(unmapped.status, 202);
    assert.equal(unmapped.json['outcome'], 'ignored');
    assert.match(String(unmapped.json['reason']), /maps to no environment/);
    const deleted = await post('generic', 'shop', signedPush('generic', secret, { ref: 'refs/heads/main', after: '0'.repeat(40) }));
    assert.equal(deleted.status, 202);
    assert.match(String(deleted.json['reason']), /deleted/);
    const bare = signedPush('github', secret, { ref: 'refs/heads/other', after: sha });
    delete bare.headers['content-type'];
    assert.equal((await post('github', 'shop', bare)).status, 202);
    assert.deepEqual((await deliveries()).slice(0, 4).map((d) => d.outcome), ['ignored', 'ignored', 'ignored', 'ping']);

    // rotation: the old secret stays valid during the grace period, the new one works at once
    const rotated = await cp.request('POST', '/api/apps/shop/webhook-secret', { body: { rotate: true } });
    assert.equal(rotated.status, 201);
    const next = (rotated.json as { secret: string; previousValidUntil: string }).secret;
    assert.notEqual(next, secret);
    assert.ok((rotated.json as { previousValidUntil: string | null }).previousValidUntil);
    assert.equal((await post('github', 'shop', signedPush('github', secret, { ref: 'refs/heads/other', after: sha }))).status, 202);
    assert.equal((await post('github', 'shop', signedPush('github', next, { ref: 'refs/heads/other', after: sha }))).status, 202);
    assert.equal((await post('github', 'shop', signedPush('github', 'wrong', { ref: 'refs/heads/other', after: sha }))).status, 401);
  });

  test('over 1 MiB is 413; unknown providers and apps are 404; nothing is queued', async () => {
    const big = { headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'big', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, body: Buffer.alloc(1024 * 1024 + 10, 0x20) };
    assert.equal((await post('github', 'shop', big)).status, 413);
    assert.equal((await post('bitbucket', 'shop', signedPush('github', 'x', { ref: 'refs/heads/main', after: sha }))).status, 404);
    assert.equal((await post('github', 'nope', signedPush('github', 'x', { ref: 'refs/heads/main', after: sha }))).status, 404);
    const all = (await cp.request('GET', '/api/deployments?app=shop')).json as { deployments: unknown[] };
    assert.equal(all.deployments.length, 0);
  });
});
