// Sends >= 10,000 mutated requests per provider at verifyAndParse. Invariants: nothing but a
// SlipwayError (unauthorized / invalid_input, never the "unexpected" fallback) is ever thrown,
// and a request parses only if its signature is valid (checked by an independent oracle).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { SlipwayError } from '../../src/core/errors.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { verifyAndParse, WEBHOOK_PROVIDERS, type WebhookProvider } from '../../src/webhooks/index.js';
import { SeededRandom } from '../support/seeded-random.js';
import { pushBody, signed } from './signed-requests.js';

const ITERATIONS = 10_000;
const SECRET = 'fuzz-secret-5f1c2a';
const secret = new Sensitive(SECRET);
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);

type Headers = Record<string, unknown>;

const hmac = (body: Buffer, key = SECRET) => createHmac('sha256', key).update(body).digest('hex');

const SIG_HEADER: Record<WebhookProvider, string> = {
  github: 'x-hub-signature-256',
  gitlab: 'x-gitlab-token',
  gitea: 'x-gitea-signature',
  generic: 'x-slipway-signature',
};

/** Independent check: is the request's signature (or token) valid for its body? */
function oracle(provider: WebhookProvider, headers: Headers, body: Buffer): boolean {
  const get = (name: string): string | null | 'bad' => {
    const keys = Object.keys(headers).filter((k) => k.toLowerCase() === name);
    if (keys.length === 0) return null;
    if (keys.length > 1) return 'bad';
    let v = headers[keys[0]!];
    if (v === undefined) return null;
    if (Array.isArray(v)) v = v.length === 1 ? v[0] : 'bad';
    return typeof v === 'string' ? (v.length > 1024 ? 'bad' : v.trim()) : 'bad';
  };
  const sig = (name: string) => get(name);
  switch (provider) {
    case 'github':
    case 'generic': {
      const v = sig(SIG_HEADER[provider]);
      return typeof v === 'string' && v !== 'bad' && v.startsWith('sha256=') && v.slice(7).toLowerCase() === hmac(body);
    }
    case 'gitea': {
      let v = sig('x-gitea-signature');
      if (v === null) v = sig('x-forgejo-signature');
      return typeof v === 'string' && v !== 'bad' && v.toLowerCase() === hmac(body);
    }
    case 'gitlab':
      return sig('x-gitlab-token') === SECRET;
  }
}

const WEIRD_VALUES = ['1e999', '-0', '123456789012345678901234567890', 'null', 'true', '[]', '{}', '"\\ud800"', '"\\u0000"', `"${'x'.repeat(5000)}"`, '"refs/heads/' + '../'.repeat(10) + '"', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '"0000000000000000000000000000000000000000"', '"' + 'A'.repeat(40) + '"'];
const REFS = ['refs/heads/main', 'refs/tags/v1.2.0', 'refs/heads/release', 'refs/pull/1/head', 'main', '', 'refs/heads/', 'refs/heads/a..b', 'refs/heads/\u00e9', 'refs/heads/a\nb'];
const EVENTS = ['push', 'ping', 'Push Hook', 'Tag Push Hook', 'issues', '', 'PUSH', 'push ', '\u0000', 'x'.repeat(2000), 'create'];

function baseRequest(r: SeededRandom, provider: WebhookProvider) {
  const shaChoices = ['a'.repeat(40), '0'.repeat(40), 'b'.repeat(64), 'c'.repeat(39), 'not-a-sha'];
  const body = Buffer.from(JSON.stringify(pushBody(provider, { ref: r.pick(REFS), after: r.pick(shaChoices), pusher: r.pick(['ada', 'zoë', '']) })));
  const event = provider === 'gitlab' ? r.pick(['Push Hook', 'Tag Push Hook', 'Note Hook']) : r.pick(['push', 'push', 'ping', 'issues']);
  const req = signed(provider, SECRET, body, event, r.pick(['d-1', 'e2c5a5a2-1111-4c3e-8000-000000000000', 'x'.repeat(199)]));
  return { headers: { ...req.headers } as Headers, body: req.body };
}

function mutateBody(r: SeededRandom, body: Buffer, headers: Headers): Buffer {
  const text = body.toString('utf8');
  switch (r.int(11)) {
    case 0: {
      const b = Buffer.from(body);
      if (b.length > 0) b[r.int(b.length)] = r.int(256);
      return b;
    }
    case 1:
      return body.subarray(0, r.int(body.length + 1));
    case 2: {
      const at = r.int(body.length + 1);
      return Buffer.concat([body.subarray(0, at), r.bytes(1 + r.int(8)), body.subarray(at)]);
    }
    case 3:
      return Buffer.from(text.replace(/"(ref|after|pusher|name|login|user_username)":("[^"]*"|\{[^}]*\})/, (_m, k: string) => `"${k}":${r.pick(WEIRD_VALUES)}`));
    case 4:
      return Buffer.from(text.replace(/^\{/, r.pick(['{"__proto__":{"polluted":true},', '{"constructor":{"prototype":{"polluted":true}},', '{"ref":"refs/heads/x",'])));
    case 5:
      return r.pick([Buffer.from(text, 'utf16le'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]), Buffer.from(text.replace('main', 'm\u00e4in'), 'latin1'), Buffer.concat([body, Buffer.from([0xc0, 0x80])])]);
    case 6:
      headers['content-type'] = 'application/x-www-form-urlencoded';
      return Buffer.from(r.pick([new URLSearchParams({ payload: text }).toString(), 'payload=%E0%A4%A', 'nopayload=1', `payload=${encodeURIComponent('{"__proto__":1}')}`]));
    case 7:
      return Buffer.alloc(0);
    case 8:
      return Buffer.from('['.repeat(1 + r.int(6000)) + ']'.repeat(r.int(3)));
    case 9:
      return r.bytes(r.int(300));
    default:
      return Buffer.from(JSON.stringify({ ref: r.pick(REFS), after: r.pick(['a'.repeat(40), 12, null, { x: 1 }]), pusher: r.pick(['p', 1, [], null]) }));
  }
}

function mutateHeaders(r: SeededRandom, provider: WebhookProvider, headers: Headers, body: Buffer): void {
  const keys = Object.keys(headers);
  const key = r.pick(keys);
  const sigName = SIG_HEADER[provider];
  const sig = typeof headers[sigName] === 'string' ? (headers[sigName] as string) : '';
  switch (r.int(10)) {
    case 0:
      delete headers[key];
      break;
    case 1:
      headers[key] = r.pick([[headers[key], headers[key]], [headers[key]], [], ['x', headers[key]]]);
      break;
    case 2:
      headers[key.toUpperCase()] = headers[key];
      if (r.next() < 0.5) delete headers[key];
      break;
    case 3:
      headers[key] = r.pick([42, null, undefined, { toString: () => 'x' }, true, Symbol.for('s')]);
      break;
    case 4:
      headers[sigName] = r.pick([
        sig.toUpperCase(),
        sig.slice(0, r.int(sig.length + 1)),
        sig.replace('sha256=', r.pick(['sha1=', 'SHA256=', 'sha256 =', ''])),
        ` ${sig} `,
        provider === 'gitlab' ? 'wrong-token' : (provider === 'gitea' ? '' : 'sha256=') + hmac(body, 'other-secret'),
        provider === 'gitlab' ? SECRET + ' ' : (provider === 'gitea' ? '' : 'sha256=') + hmac(Buffer.concat([body, Buffer.from(' ')])),
        '',
        'sha256=' + 'g'.repeat(64),
        'sha256=' + 'a'.repeat(2000),
        'sha256=\u00e9' + hmac(body).slice(1),
        SECRET.slice(0, -1),
      ]);
      break;
    case 5: {
      const ev = Object.keys(headers).find((k) => /event$/i.test(k) && !/uuid/i.test(k)) ?? 'x-github-event';
      headers[ev] = r.pick(EVENTS);
      break;
    }
    case 6: {
      const id = Object.keys(headers).find((k) => /delivery|uuid/i.test(k)) ?? 'x-github-delivery';
      headers[id] = r.pick(['', ' ', 'x'.repeat(201), 'a\u0000b', 'caf\u00e9', 'ok-id', '\t', 'a b']);
      break;
    }
    case 7:
      headers['content-type'] = r.pick(['text/plain', 'application/x-www-form-urlencoded; charset=utf-8', '', 'application/json; charset=latin1']);
      break;
    case 8:
      if (provider === 'gitea') {
        headers['x-forgejo-signature'] = headers['x-gitea-signature'];
        if (r.next() < 0.7) delete headers['x-gitea-signature'];
      } else {
        headers['x-gitea-signature'] = hmac(body);
      }
      break;
    default:
      headers[`x-${r.int(1000)}`] = 'noise';
  }
}

describe('webhook fuzz', () => {
  for (const provider of WEBHOOK_PROVIDERS) {
    test(`${provider}: ${ITERATIONS} mutated requests (seed ${SEED})`, () => {
      const r = new SeededRandom(SEED + provider.length * 7919 + provider.charCodeAt(0));
      const counts = { parsed: 0, unauthorized: 0, invalid_input: 0 };
      for (let i = 0; i < ITERATIONS; i++) {
        const { headers, body: original } = baseRequest(r, provider);
        let body = original;
        const rounds = 1 + r.int(3);
        for (let k = 0; k < rounds; k++) {
          if (r.next() < 0.5) body = mutateBody(r, body, headers);
          else mutateHeaders(r, provider, headers, body);
        }
        // Half the time, re-sign the mutated body properly so the parser behind the signature is exercised.
        if (r.next() < 0.5 && provider !== 'gitlab' && body !== original) {
          const name = Object.keys(headers).find((k) => k.toLowerCase() === SIG_HEADER[provider]) ?? SIG_HEADER[provider];
          headers[name] = (provider === 'gitea' ? '' : 'sha256=') + hmac(body);
        }
        const valid = oracle(provider, headers, body);
        const where = `iteration ${i} (seed ${SEED}): headers ${JSON.stringify(headers, (_k, v: unknown) => (typeof v === 'symbol' ? String(v) : v)).slice(0, 400)} body ${JSON.stringify(body.toString('latin1').slice(0, 200))}`;
        try {
          const ev = verifyAndParse(provider, headers as Record<string, string>, body, secret);
          assert.ok(valid, `parsed without a valid signature: ${where}`);
          assert.ok(['push', 'tag', 'ping', 'other'].includes(ev.event), where);
          assert.ok(ev.commitSha === null || /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(ev.commitSha), where);
          assert.ok(typeof ev.deliveryId === 'string' && ev.deliveryId.length > 0, where);
          counts.parsed++;
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          assert.ok(err instanceof SlipwayError, `not a SlipwayError: ${String(err)} at ${where}`);
          assert.ok(err.code === 'unauthorized' || err.code === 'invalid_input', `code ${err.code} at ${where}`);
          assert.notEqual(err.details.unexpected, true, `unexpected exception path at ${where}`);
          if (!valid) assert.equal(err.code, 'unauthorized', `invalid signature not reported as unauthorized: ${err.message} at ${where}`);
          assert.ok(!err.message.includes(SECRET), where);
          counts[err.code]++;
        }
      }
      // The fuzz must reach both sides of the signature check, and the parser.
      assert.ok(counts.parsed > ITERATIONS * 0.05, JSON.stringify(counts));
      assert.ok(counts.unauthorized > ITERATIONS * 0.05, JSON.stringify(counts));
      assert.ok(counts.invalid_input > ITERATIONS * 0.05, JSON.stringify(counts));
      console.log(`${provider}: ${JSON.stringify(counts)}`);
    });
  }
  test('no prototype was polluted', () => {
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });
});
