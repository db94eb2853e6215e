// `route:` with several hosts and TLS in slipway.yml: what parses, what the drivers' edge routes
// carry, and errors that name the path and the fix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAppSpec } from '../../src/core/config-file.js';
import { buildEdgeRoute } from '../../src/drivers/process/edge-route.js';
import { swarmEdgeRoute } from '../../src/drivers/swarm/edge/app-route.js';
import { specErrorMessage, specWithRoute } from '../support/spec-error.js';

const spec = specWithRoute;

const message = specErrorMessage;

test('hosts, tls auto, canonical_host and hsts parse; host names are lower-cased', () => {
  const parsed = parseAppSpec(spec('{ hosts: [Shop.Example, www.shop.example], tls: auto, canonical_host: shop.example, hsts: true }'));
  const route = parsed.environments['production']!.route!;
  assert.deepEqual(route.hosts, ['shop.example', 'www.shop.example']);
  assert.equal(route.tls, 'auto');
  assert.equal(route.canonical_host, 'shop.example');
  assert.equal(route.hsts, true);
});

test('defaults: tls off, no hsts; host stays the one-host shorthand', () => {
  const route = parseAppSpec(spec('{ host: shop.example }')).environments['production']!.route!;
  assert.equal(route.tls, 'off');
  assert.equal(route.hsts, false);
  assert.equal(route.host, 'shop.example');
});

test('own certificate from secrets', () => {
  const route = parseAppSpec(spec('{ host: shop.example, tls: { certificate_secret: SHOP_CERT, key_secret: SHOP_KEY } }')).environments['production']!.route!;
  assert.deepEqual(route.tls, { certificate_secret: 'SHOP_CERT', key_secret: 'SHOP_KEY' });
});

test('errors name the path and the fix', () => {
  assert.match(message(spec('{ host: a.example, hosts: [b.example] }')), /slipway\.yml: environments\.production\.route\.hosts: give either host \(one host\) or hosts \(a list\), not both/);
  assert.match(message(spec('{ tls: auto }')), /environments\.production\.route\.tls: tls needs the host names to certify: add hosts: \[your\.domain\]/);
  assert.match(message(spec('{ hosts: [a.example], canonical_host: b.example }')), /route\.canonical_host: "b\.example" is not one of the route's hosts \(a\.example\)/);
  assert.match(message(spec('{ hosts: [a.example], hsts: true }')), /route\.hsts: hsts needs tls: set tls: auto/);
  assert.match(message(spec('{ hosts: ["*.a.example"] }')), /route\.hosts: the wildcard \*\.a\.example needs tls/);
  assert.match(message(spec('{ hosts: [a.example, A.example], tls: auto }')), /route\.hosts\.1: "a\.example" is listed twice/);
  assert.match(message(spec('{ hosts: ["a b"] }')), /route\.hosts\.0: expected a host name like "shop\.example"/);
  assert.match(message(spec('{ hosts: [a.example], tls: manual }')), /route\.tls: expected "auto", "off" or \{ certificate_secret: NAME, key_secret: NAME \}/);
  assert.match(message(spec('{ hosts: [a.example], tls: { certificate_secret: "bad name", key_secret: K } }')), /route\.tls\.certificate_secret: expected the name of a Slipway secret/);
});

test('the process and Swarm drivers pass hosts, tls and canonicalHost to the edge route', () => {
  const parsed = parseAppSpec(spec('{ hosts: [shop.example, www.shop.example], tls: auto, canonical_host: shop.example, hsts: true }'));
  const envSpec = parsed.environments['production']!;
  const proc = buildEdgeRoute({ app: 'shop', env: 'production', spec: parsed, envSpec, releaseId: 'r1', releaseDir: '/srv/releases/r1', ports: [4000], existing: null });
  assert.deepEqual(proc.hosts, ['shop.example', 'www.shop.example']);
  assert.deepEqual(proc.tls, { hsts: true });
  assert.equal(proc.canonicalHost, 'shop.example');
  const ctx = { app: { name: 'shop' }, environment: { name: 'production' }, envSpec, spec: parsed } as Parameters<typeof swarmEdgeRoute>[0];
  const swarm = swarmEdgeRoute(ctx, 'shop-production', { service: 'web', port: 8080 }, 'r1', null);
  assert.deepEqual(swarm.hosts, ['shop.example', 'www.shop.example']);
  assert.deepEqual(swarm.tls, { hsts: true });
  assert.equal(swarm.canonicalHost, 'shop.example');

  const plain = parseAppSpec(spec('{ host: shop.example }'));
  const route = buildEdgeRoute({ app: 'shop', env: 'production', spec: plain, envSpec: plain.environments['production']!, releaseId: 'r1', releaseDir: '/srv/releases/r1', ports: [4000], existing: null });
  assert.equal('tls' in route, false, 'a route without TLS carries no tls field');
  assert.equal('canonicalHost' in route, false);
});
