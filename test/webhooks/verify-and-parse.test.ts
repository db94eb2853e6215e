import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SlipwayError } from '../../src/core/errors.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { verifyAndParse, WEBHOOK_PROVIDERS, type WebhookProvider } from '../../src/webhooks/index.js';
import { hmacHex, signed, signedPush } from './signed-requests.js';

const SECRET = 'whsec-0123456789abcdef';
const secret = new Sensitive(SECRET);
const SHA = 'a'.repeat(8) + '0123456789abcdef0123456789abcdef';

function rejects(fn: () => unknown, code: string, message?: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SlipwayError, `expected SlipwayError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    assert.ok(!e.message.includes(SECRET));
    return true;
  });
}

describe('verifyAndParse', () => {
  for (const provider of WEBHOOK_PROVIDERS) {
    test(`${provider}: a signed branch push`, () => {
      const r = signedPush(provider, SECRET, { ref: 'refs/heads/main', after: SHA, pusher: 'ada', deliveryId: 'd-1' });
      assert.deepEqual(verifyAndParse(provider, r.headers, r.body, secret), {
        provider,
        event: 'push',
        deliveryId: 'd-1',
        ref: 'refs/heads/main',
        branch: 'main',
        tag: null,
        commitSha: SHA,
        deleted: false,
        pusher: 'ada',
      });
    });

    test(`${provider}: a signed tag push and a branch deletion`, () => {
      const t = signedPush(provider, SECRET, { ref: 'refs/tags/v1.2.0', after: SHA });
      const ev = verifyAndParse(provider, t.headers, t.body, secret);
      assert.equal(ev.event, 'tag');
      assert.equal(ev.tag, 'v1.2.0');
      assert.equal(ev.branch, null);
      const d = signedPush(provider, SECRET, { ref: 'refs/heads/gone', after: '0'.repeat(40) });
      const del = verifyAndParse(provider, d.headers, d.body, secret);
      assert.equal(del.deleted, true);
      assert.equal(del.commitSha, null);
      assert.equal(del.branch, 'gone');
    });

    test(`${provider}: a wrong secret, a missing signature and a tampered body are unauthorized`, () => {
      const r = signedPush(provider, 'another-secret', { ref: 'refs/heads/main', after: SHA });
      rejects(() => verifyAndParse(provider, r.headers, r.body, secret), 'unauthorized');
      const ok = signedPush(provider, SECRET, { ref: 'refs/heads/main', after: SHA });
      const sigHeader = Object.keys(ok.headers).find((h) => /signature|token/.test(h))!;
      const { [sigHeader]: _dropped, ...without } = ok.headers;
      rejects(() => verifyAndParse(provider, without, ok.body, secret), 'unauthorized', /missing/);
      if (provider !== 'gitlab') {
        const tampered = Buffer.from(ok.body.toString().replace('main', 'prod'));
        rejects(() => verifyAndParse(provider, ok.headers, tampered, secret), 'unauthorized', /does not match/);
      }
      rejects(() => verifyAndParse(provider, ok.headers, ok.body, new Sensitive('')), 'unauthorized', /no webhook secret/);
    });

    test(`${provider}: a signed but malformed payload is invalid_input naming the field`, () => {
      const cases: Array<[string, RegExp]> = [
        ['not json', /not valid JSON/],
        ['[1,2]', /JSON object/],
        ['{"ref":1,"after":"x"}', /ref must be a string/],
        [`{"ref":"refs/heads/main","after":1e999}`, /after must be a string/],
        [`{"ref":"refs/heads/main","after":"xyz"}`, /after must be a 40- or 64-character hex/],
        [`{"ref":"main","after":"${SHA}"}`, /not a full git ref/],
        [`{"ref":"refs/heads/main","after":"${SHA}","__proto__":{"polluted":1}}`, /__proto__/],
        [`{"after":"${SHA}"}`, /ref is missing/],
      ];
      const event = provider === 'gitlab' ? 'Push Hook' : 'push';
      for (const [text, why] of cases) {
        const body = Buffer.from(text);
        const r = signed(provider, SECRET, body, event);
        rejects(() => verifyAndParse(provider, r.headers, r.body, secret), 'invalid_input', why);
      }
      const bad = signed(provider, SECRET, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), event);
      rejects(() => verifyAndParse(provider, bad.headers, bad.body, secret), 'invalid_input', /UTF-8/);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  }

  test('github: ping and other events are recognised without parsing the body', () => {
    const ping = signed('github', SECRET, Buffer.from('{"zen":"Keep it logically awesome."}'), 'ping', 'p-1');
    assert.equal(verifyAndParse('github', ping.headers, ping.body, secret).event, 'ping');
    const issue = signed('github', SECRET, Buffer.from('{}'), 'issues');
    assert.equal(verifyAndParse('github', issue.headers, issue.body, secret).event, 'other');
  });

  test('github: the form-encoded payload and uppercase hex are accepted; header names are case-insensitive', () => {
    const json = JSON.stringify({ ref: 'refs/heads/main', after: SHA });
    const body = Buffer.from(new URLSearchParams({ payload: json }).toString());
    const headers = {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-GitHub-Event': 'push',
      'X-GitHub-Delivery': 'f-1',
      'X-Hub-Signature-256': `sha256=${hmacHex(SECRET, body).toUpperCase()}`,
    };
    assert.equal(verifyAndParse('github', headers, body, secret).commitSha, SHA);
  });

  test('github: missing delivery or event header, repeated signature headers', () => {
    const r = signedPush('github', SECRET, { ref: 'refs/heads/main', after: SHA });
    const { 'x-github-delivery': _d, ...noDelivery } = r.headers;
    rejects(() => verifyAndParse('github', noDelivery, r.body, secret), 'invalid_input', /X-GitHub-Delivery is missing/);
    const { 'x-github-event': _e, ...noEvent } = r.headers;
    rejects(() => verifyAndParse('github', noEvent, r.body, secret), 'invalid_input', /X-GitHub-Event is missing/);
    const sig = r.headers['x-hub-signature-256']!;
    rejects(() => verifyAndParse('github', { ...r.headers, 'x-hub-signature-256': [sig, sig] }, r.body, secret), 'unauthorized', /2 times/);
    rejects(() => verifyAndParse('github', { ...r.headers, 'X-Hub-Signature-256': sig }, r.body, secret), 'unauthorized', /once/);
    rejects(() => verifyAndParse('github', { ...r.headers, 'x-hub-signature-256': sig.replace('sha256=', 'sha1=') }, r.body, secret), 'unauthorized', /malformed/);
  });

  test('gitlab: Tag Push Hook, other hooks, and the body hash as delivery id without X-Gitlab-Event-UUID', () => {
    const r = signedPush('gitlab', SECRET, { ref: 'refs/tags/v2', after: SHA });
    const { 'x-gitlab-event-uuid': _u, ...noUuid } = r.headers;
    const ev = verifyAndParse('gitlab', noUuid, r.body, secret);
    assert.equal(ev.event, 'tag');
    assert.match(ev.deliveryId, /^sha256:[0-9a-f]{64}$/);
    assert.equal(verifyAndParse('gitlab', noUuid, r.body, secret).deliveryId, ev.deliveryId);
    const mr = signed('gitlab', SECRET, Buffer.from('{}'), 'Merge Request Hook');
    assert.equal(verifyAndParse('gitlab', mr.headers, mr.body, secret).event, 'other');
  });

  test('gitea: Forgejo headers are accepted too', () => {
    const r = signedPush('gitea', SECRET, { ref: 'refs/heads/main', after: SHA, deliveryId: 'fj-1' });
    const headers = {
      'content-type': 'application/json',
      'x-forgejo-event': 'push',
      'x-forgejo-delivery': 'fj-1',
      'x-forgejo-signature': r.headers['x-gitea-signature']!,
    };
    assert.equal(verifyAndParse('gitea', headers, r.body, secret).deliveryId, 'fj-1');
  });

  test('generic: ping, unknown event, 64-hex sha', () => {
    const ping = signed('generic', SECRET, Buffer.from(''), 'ping');
    assert.equal(verifyAndParse('generic', ping.headers, ping.body, secret).event, 'ping');
    const odd = signed('generic', SECRET, Buffer.from('{}'), 'deploy');
    rejects(() => verifyAndParse('generic', odd.headers, odd.body, secret), 'invalid_input', /X-Slipway-Event/);
    const sha256 = 'b'.repeat(64);
    const r = signedPush('generic', SECRET, { ref: 'refs/heads/main', after: sha256 });
    assert.equal(verifyAndParse('generic', r.headers, r.body, secret).commitSha, sha256);
  });

  for (const provider of WEBHOOK_PROVIDERS) {
    test(`${provider}: during a rotation either secret authenticates, a third does not`, () => {
      const both = [new Sensitive('old-secret-1234'), secret];
      for (const key of ['old-secret-1234', SECRET]) {
        const r = signedPush(provider, key, { ref: 'refs/heads/main', after: SHA });
        assert.equal(verifyAndParse(provider, r.headers, r.body, both).branch, 'main');
      }
      const r = signedPush(provider, 'third-secret-99', { ref: 'refs/heads/main', after: SHA });
      rejects(() => verifyAndParse(provider, r.headers, r.body, both), 'unauthorized');
      rejects(() => verifyAndParse(provider, r.headers, r.body, []), 'unauthorized', /no webhook secret/);
    });
  }

  test('an unknown provider and a non-Buffer body are invalid_input', () => {
    rejects(() => verifyAndParse('bitbucket' as WebhookProvider, {}, Buffer.from(''), secret), 'invalid_input', /unknown webhook provider/);
    rejects(() => verifyAndParse('github', {}, 'text' as unknown as Buffer, secret), 'invalid_input');
  });
});
