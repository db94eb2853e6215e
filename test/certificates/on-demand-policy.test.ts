// On-demand TLS in the control plane: the spec's on_demand_tls (what parses, errors naming the
// path), the policy (allow-list with one-level wildcards, the ask endpoint: 2xx allows, 403,
// a redirect, a timeout and an unreachable endpoint refuse), the rate limits (per route per
// minute, global per hour), and OnDemandIssuance answering the edge's wanted names.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { parseAppSpec } from '../../src/core/config-file.js';
import type { EdgeOnDemand, WantedCertificate } from '../../src/core/ports/edge-tls.js';
import { onDemandName } from '../../src/core/on-demand-host.js';
import { buildEdgeRoute } from '../../src/drivers/process/edge-route.js';
import { createLogger } from '../../src/platform/logger.js';
import type { CertificateView } from '../../src/core/wire/certificates.js';
import { OnDemandIssuance } from '../../src/services/on-demand-issuance.js';
import { allowListed, decideOnDemand } from '../../src/services/on-demand-policy.js';
import { OnDemandRateLimit } from '../../src/services/on-demand-rate-limit.js';
import { TestClock } from '../support/test-clock.js';
import { specErrorMessage, specWithRoute } from '../support/spec-error.js';

const spec = specWithRoute;

const message = specErrorMessage;

/** A real ask endpoint: 200 for allowed.example, a hang for slow.example, a redirect for moved.example, 403 else; counts the asks. */
async function startAskServer(): Promise<{ url: string; asked: string[]; close(): Promise<void> }> {
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    const domain = new URL(req.url ?? '/', 'http://x').searchParams.get('domain') ?? '';
    asked.push(domain);
    if (domain === 'slow.example') return; // never answers
    if (domain === 'moved.example') return void res.writeHead(302, { location: '/check?domain=allowed.example' }).end();
    res.writeHead(domain === 'allowed.example' ? 200 : 403).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/check`,
    asked,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

test('on_demand_tls parses with ask, allow or both; the edge route is marked on-demand', () => {
  const parsed = parseAppSpec(spec('{ host: app.example, tls: auto, on_demand_tls: { ask: "http://127.0.0.1:9000/check", allow: ["*.Customers.example", shop.example] } }'));
  const envSpec = parsed.environments['production']!;
  assert.deepEqual(envSpec.route!.on_demand_tls, { ask: 'http://127.0.0.1:9000/check', allow: ['*.customers.example', 'shop.example'], per_minute: 10 });
  const route = buildEdgeRoute({ app: 'shop', env: 'production', spec: parsed, envSpec, releaseId: 'r1', releaseDir: '/srv/releases/r1', ports: [4000], existing: null });
  assert.equal(route.onDemandTls, true);
  const plain = parseAppSpec(spec('{ host: app.example, tls: auto }'));
  assert.equal('onDemandTls' in buildEdgeRoute({ app: 'shop', env: 'production', spec: plain, envSpec: plain.environments['production']!, releaseId: 'r1', releaseDir: '/srv/releases/r1', ports: [4000], existing: null }), false);
});

test('on_demand_tls errors name the field path and the fix', () => {
  assert.match(message(spec('{ host: app.example, tls: auto, on_demand_tls: {} }')), /environments\.production\.route\.on_demand_tls.*give ask .* or allow/);
  assert.match(message(spec('{ host: app.example, tls: auto, on_demand_tls: { ask: "ftp://x/check" } }')), /route\.on_demand_tls\.ask.*http\(s\) URL/);
  assert.match(message(spec('{ host: app.example, tls: auto, on_demand_tls: { ask: "http://u:p@x/check" } }')), /route\.on_demand_tls\.ask/);
  assert.match(message(spec('{ host: app.example, tls: auto, on_demand_tls: { allow: ["bad host"] } }')), /route\.on_demand_tls\.allow\.0/);
  assert.match(message(spec('{ host: app.example, tls: off, on_demand_tls: { allow: [a.example] } }')), /route\.on_demand_tls.*needs tls: auto/);
  assert.match(message(spec('{ host: app.example, tls: auto, on_demand_tls: { allow: [a.example], per_minute: 0 } }')), /route\.on_demand_tls\.per_minute/);
});

test('a name is certified on demand only as a lower-case DNS name of two labels or more, never an IP literal', () => {
  assert.equal(onDemandName('Shop.Example'), 'shop.example');
  for (const bad of ['localhost', '127.0.0.1', '10.0.0.1', 'a..b', '-a.example', 'a-.example', 'under_score.example', `${'a'.repeat(64)}.example`, `${'a.'.repeat(127)}ex`, '', 'a.example.', '[::1]', 'xn--ü.example']) {
    assert.equal(onDemandName(bad), undefined, bad);
  }
});

test('the allow-list matches exact hosts and one level under a wildcard', () => {
  const allow = ['*.customers.example', 'shop.example'];
  assert.equal(allowListed('shop.example', allow), true);
  assert.equal(allowListed('a.customers.example', allow), true);
  assert.equal(allowListed('a.b.customers.example', allow), false);
  assert.equal(allowListed('customers.example', allow), false);
  assert.equal(allowListed('www.shop.example', allow), false);
});

describe('the ask endpoint', () => {
  let ask: Awaited<ReturnType<typeof startAskServer>>;
  before(async () => (ask = await startAskServer()));
  after(async () => ask.close());

  test('2xx allows, 403 and a redirect refuse, with ?domain= set', async () => {
    assert.deepEqual(await decideOnDemand('allowed.example', { ask: ask.url }), { allowed: true, by: 'ask' });
    assert.deepEqual(await decideOnDemand('refused.example', { ask: ask.url }), { allowed: false, reason: 'the ask endpoint answered 403' });
    assert.deepEqual(await decideOnDemand('moved.example', { ask: ask.url }), { allowed: false, reason: 'the ask endpoint answered 302' });
    assert.deepEqual(ask.asked.slice(-3), ['allowed.example', 'refused.example', 'moved.example']);
  });

  test('an allow-listed host is not asked about', async () => {
    const before = ask.asked.length;
    assert.deepEqual(await decideOnDemand('shop.example', { ask: ask.url, allow: ['shop.example'] }), { allowed: true, by: 'allow' });
    assert.equal(ask.asked.length, before);
    assert.deepEqual(await decideOnDemand('other.example', { allow: ['shop.example'] }), { allowed: false, reason: 'not in on_demand_tls.allow' });
  });

  test('a timeout or an unreachable endpoint refuses', async () => {
    const started = Date.now();
    const slow = await decideOnDemand('slow.example', { ask: ask.url }, { timeoutMs: 300 });
    assert.deepEqual(slow, { allowed: false, reason: 'the ask endpoint did not answer within 300 ms' });
    assert.ok(Date.now() - started < 3000);
    const closed = await startAskServer();
    await closed.close();
    const down = await decideOnDemand('allowed.example', { ask: closed.url });
    assert.equal(down.allowed, false);
    assert.match(down.allowed ? '' : down.reason, /could not be reached/);
  });
});

test('rate limits: per route per minute, and all routes per hour', () => {
  const clock = new TestClock();
  const limit = new OnDemandRateLimit(5, clock);
  assert.equal(limit.take('a/prod', 2), true);
  assert.equal(limit.take('a/prod', 2), true);
  assert.equal(limit.take('a/prod', 2), false, 'the third in a minute');
  assert.equal(limit.take('b/prod', 2), true, 'another route has its own');
  clock.advance(60_001);
  assert.equal(limit.take('a/prod', 2), true, 'a minute later');
  assert.equal(limit.take('a/prod', 2), true);
  assert.equal(limit.take('b/prod', 2), false, 'five in the hour: the global cap');
  clock.advance(3_600_000);
  assert.equal(limit.take('b/prod', 2), true, 'an hour later');
});

describe('OnDemandIssuance answers wanted names', () => {
  let ask: Awaited<ReturnType<typeof startAskServer>>;
  before(async () => (ask = await startAskServer()));
  after(async () => ask.close());

  function world(perMinute = 10) {
    const refused: Array<[string, number]> = [];
    const issued: string[] = [];
    let fail = false;
    const edge: EdgeOnDemand = {
      async *wantedCertificates() {},
      refuseOnDemand: async (host, seconds) => void refused.push([host, seconds]),
    };
    const issuance = new OnDemandIssuance({
      edge,
      certificates: {
        issueOnDemand: async (host: string) => {
          if (fail) throw new Error('the CA said no');
          issued.push(host);
          return { id: host, notAfter: '2027-01-01T00:00:00.000Z' } as CertificateView;
        },
      },
      policyFor: async (route) => (route === 'shop/prod' ? { ask: ask.url, allow: ['*.customers.example'], per_minute: perMinute } : null),
      limit: new OnDemandRateLimit(100),
      logger: createLogger({ level: 'silent' }),
    });
    return { issuance, refused, issued, failNext: () => (fail = true) };
  }
  const w = (host: string, route = 'shop/prod'): WantedCertificate => ({ host, route });

  test('issues what the policy allows, refuses the rest, and tells the edge', async () => {
    const { issuance, refused, issued, failNext } = world();
    assert.equal(await issuance.handle(w('allowed.example')), 'issued');
    assert.equal(await issuance.handle(w('a.customers.example')), 'issued');
    assert.equal(await issuance.handle(w('refused.example')), 'refused');
    assert.equal(await issuance.handle(w('allowed.example', 'other/prod')), 'refused', 'a route without on_demand_tls');
    assert.equal(await issuance.handle(w('127.0.0.1')), 'ignored', 'a name the edge should never have sent');
    assert.deepEqual(issued, ['allowed.example', 'a.customers.example']);
    assert.deepEqual(refused, [['refused.example', 60], ['allowed.example', 60]]);
    failNext();
    assert.equal(await issuance.handle(w('b.customers.example')), 'failed');
    assert.deepEqual(refused.at(-1), ['b.customers.example', 60]);
  });

  test('asks once for a name wanted twice at once, and rate-limits per route', async () => {
    const { issuance, issued, refused } = world(2);
    const before = ask.asked.length;
    const outcomes = await Promise.all([issuance.handle(w('allowed.example')), issuance.handle(w('allowed.example'))]);
    assert.deepEqual(outcomes.sort(), ['ignored', 'issued']);
    assert.equal(ask.asked.length, before + 1);
    assert.equal(await issuance.handle(w('x.customers.example')), 'issued');
    assert.equal(await issuance.handle(w('y.customers.example')), 'rate-limited');
    assert.deepEqual(refused, [['y.customers.example', 10]]);
    assert.deepEqual(issued, ['allowed.example', 'x.customers.example']);
  });
});
