// HTTP-level fuzz of POST /hooks/:provider/:app against an in-process control plane: >= 10,000
// mutated requests (bodies, headers, signatures, encodings, sizes, urls). Invariants: never a 5xx,
// the server keeps answering, and a deployment is queued only by a request whose signature an
// independent oracle finds valid (and the number of deployments equals what those answers report).
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import type { TestRepo } from '../support/git-repo.js';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from '../../src/webhooks/index.js';
import { SeededRandom } from '../support/seeded-random.js';
import { pushBody, signed } from '../webhooks/signed-requests.js';
import { createAppRepo } from './app-repo.js';
import { startControlPlane, type TestControlPlane } from './control-plane.js';

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);

const hmac = (key: string, body: Buffer) => createHmac('sha256', key).update(body).digest('hex');

/** Independent oracle: does this request carry a valid signature (or token) for its exact body? */
function validlySigned(provider: WebhookProvider, secret: string, headers: Record<string, string>, body: Buffer): boolean {
  const get = (name: string) => {
    const keys = Object.keys(headers).filter((k) => k.toLowerCase() === name);
    return keys.length === 1 ? (headers[keys[0]!] ?? '').trim() : null;
  };
  switch (provider) {
    case 'github':
      return get('x-hub-signature-256') === `sha256=${hmac(secret, body)}`;
    case 'generic':
      return get('x-slipway-signature')?.toLowerCase() === `sha256=${hmac(secret, body)}`;
    case 'gitea':
      return get('x-gitea-signature')?.toLowerCase() === hmac(secret, body);
    case 'gitlab':
      return get('x-gitlab-token') === secret;
  }
}

describe('webhook receiver under fuzzing (in-process server)', { timeout: 900_000 }, () => {
  let cp: TestControlPlane;
  let repo: TestRepo;
  let secret: string;
  let sha: string;

  before(async () => {
    cp = await startControlPlane();
    repo = await createAppRepo();
    sha = await repo.git(['rev-parse', 'HEAD']);
    assert.equal((await cp.request('POST', '/api/apps', { body: { name: 'shop', repo: repo.bare } })).status, 201);
    const made = await cp.request('POST', '/api/apps/shop/webhook-secret', { body: {} });
    assert.equal(made.status, 201, made.text);
    secret = (made.json as { secret: string }).secret;
    // Hold the environments so queued deployments stay queued (and cheap) during the fuzz.
    for (const env of ['staging', 'production']) {
      const r = await cp.request('PUT', `/api/apps/shop/environments/${env}/lock`, { body: { reason: 'fuzzing webhooks' } });
      assert.equal(r.status, 200, r.text);
    }
  });

  after(async () => {
    await cp?.close();
    await repo?.cleanup();
  });

  test(`${ITERATIONS} mutated requests: no 5xx, no deployment without a valid signature`, async () => {
    const rnd = new SeededRandom(SEED);
    const counts: Record<string, number> = {};
    const timing: Record<number, number> = {};
    let queuedByResponses = 0;
    let validQueued = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const provider = rnd.pick(WEBHOOK_PROVIDERS);
      const kind = rnd.int(16);
      // Mostly an unmapped branch: keeps the deployments queued by still-valid mutations countable (< 1000).
      const ref = kind === 0 || rnd.next() < 0.25 ? rnd.pick(['refs/heads/main', 'refs/heads/release', 'refs/heads/other', 'refs/tags/v1.0.0']) : 'refs/heads/other';
      const base = signed(provider, secret, Buffer.from(JSON.stringify(pushBody(provider, { ref, after: sha }))), provider === 'gitlab' ? 'Push Hook' : 'push', randomUUID());
      let headers: Record<string, string> = { ...base.headers };
      let body: Buffer = base.body;
      let url = `/hooks/${provider}/shop`;
      const sigName = Object.keys(headers).find((k) => /signature|token/.test(k))!;
      switch (kind) {
        case 0: // unmutated: valid (exercises the positive path; the lock keeps it queued)
          break;
        case 1: { // flip a byte of the body
          body = Buffer.from(body);
          const at = rnd.int(body.length);
          body[at] = (body[at]! ^ (1 + rnd.int(255))) & 0xff;
          break;
        }
        case 2: // drop the signature
          delete headers[sigName];
          break;
        case 3: // signature with the wrong secret
          headers = signed(provider, `${secret}x`, body, provider === 'gitlab' ? 'Push Hook' : 'push').headers;
          break;
        case 4: // truncated or garbled signature
          headers[sigName] = headers[sigName]!.slice(0, rnd.int(headers[sigName]!.length));
          break;
        case 5: // random bytes, signed or not
          body = rnd.bytes(rnd.int(2048));
          if (rnd.next() < 0.5) headers = signed(provider, secret, body, 'push').headers;
          break;
        case 6: // another content type (form, text, none, odd charset)
          headers['content-type'] = rnd.pick(['application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', '', 'application/json;;;']);
          if (headers['content-type'] === '') delete headers['content-type'];
          break;
        case 7: // the body of another provider, signed correctly for this one
          body = Buffer.from(JSON.stringify(pushBody(rnd.pick(WEBHOOK_PROVIDERS), { ref, after: rnd.pick([sha, '0'.repeat(40), 'zz', '']) })));
          headers = signed(provider, secret, body, rnd.pick(['push', 'ping', 'Push Hook', 'issues', ''])).headers;
          break;
        case 8: // malformed JSON, signed
          body = Buffer.from(rnd.pick(['{', '[]', 'null', '"x"', '{"ref":1}', '{"__proto__":{"a":1}}', '\uFEFF{}', '{"ref":"refs/heads/main","after":"' + 'a'.repeat(5000) + '"}']));
          headers = signed(provider, secret, body, 'push').headers;
          break;
        case 9: // wrong provider or app in the url
          url = rnd.pick([`/hooks/bitbucket/shop`, `/hooks/${provider}/nope`, `/hooks/${provider}/%ff`, `/hooks/${provider}/shop/extra`, `/hooks//shop`]);
          break;
        case 10: // huge body (over 1 MiB): 413
          if (rnd.int(50) === 0) body = Buffer.alloc(1024 * 1024 + 1 + rnd.int(1000), 0x20);
          else body = Buffer.concat([body, Buffer.alloc(rnd.int(4096), 0x20)]);
          break;
        case 11: // signature header in upper case hex or with spaces
          headers[sigName] = rnd.next() < 0.5 ? headers[sigName]!.toUpperCase() : ` ${headers[sigName]} `;
          break;
        case 12: // replay of a fixed delivery id (valid signature): queued at most once
          headers = signed(provider, secret, body, provider === 'gitlab' ? 'Push Hook' : 'push', `replayed-${provider}`).headers;
          break;
        case 13: // delivery/event headers removed or odd
          for (const k of Object.keys(headers)) if (/event|delivery|uuid/.test(k) && rnd.next() < 0.5) headers[k] = rnd.pick(['', 'ping', 'x'.repeat(2000), '\u00e9', 'push']);
          break;
        case 14: // a deleted branch (valid)
          body = Buffer.from(JSON.stringify(pushBody(provider, { ref, after: '0'.repeat(40) })));
          headers = signed(provider, secret, body, provider === 'gitlab' ? 'Push Hook' : 'push').headers;
          break;
        default: { // random header noise
          headers[rnd.pick(['x-hub-signature', 'x-gitlab-token', 'x-gitea-signature', 'x-slipway-signature', 'content-length-x'])] = rnd.bytes(8).toString('hex');
          break;
        }
      }
      // undici rejects some header values itself (e.g. non-latin1): those never reach the server.
      const cleanHeaders = Object.fromEntries(Object.entries(headers).filter(([, v]) => /^[\t\x20-\x7e\x80-\xff]*$/.test(v)));
      const t0 = performance.now();
      const res = await request(`${cp.url}${url}`, { method: 'POST', headers: cleanHeaders, body, headersTimeout: 30_000, bodyTimeout: 30_000 });
      const text = await res.body.text();
      counts[String(res.statusCode)] = (counts[String(res.statusCode)] ?? 0) + 1;
      if (process.env.FUZZ_TIMING) timing[kind] = (timing[kind] ?? 0) + performance.now() - t0;
      assert.ok(res.statusCode < 500, `request ${i} (kind ${kind}, ${provider}) got ${res.statusCode}: ${text.slice(0, 300)}`);
      if (res.statusCode === 202) {
        const out = JSON.parse(text) as { outcome: string; deployments: unknown[] };
        if (out.deployments.length > 0) {
          assert.ok(validlySigned(provider, secret, cleanHeaders, body), `request ${i} (kind ${kind}) queued a deployment without a valid signature`);
          queuedByResponses += out.deployments.length;
          validQueued++;
        }
      }
    }
    const all = await cp.request('GET', '/api/deployments?app=shop&limit=1000');
    const deployments = (all.json as { deployments: { trigger: string }[] }).deployments;
    assert.equal(deployments.length, queuedByResponses, 'every deployment was reported by a 202 to a validly signed request');
    assert.ok(validQueued > 0, 'some valid deliveries queued deployments');
    assert.equal((await cp.request('GET', '/healthz')).status, 200);
    console.log(JSON.stringify({ requests: ITERATIONS, statuses: counts, deploymentsQueued: queuedByResponses, ...(process.env.FUZZ_TIMING ? { msByKind: timing } : {}) }));
  });
});
