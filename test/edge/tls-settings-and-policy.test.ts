// SLIPWAY_EDGE_HTTPS_PORT as env.ts reads it, and the redirect/HSTS policy of routes with TLS
// (proxy/https-policy.ts) as a pure function: the cases the real-edge tests do not reach.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EdgeRoute } from '../../src/core/ports/edge-control.js';
import { redirectFor, wantsHsts } from '../../src/edge/proxy/https-policy.js';
import { readSettings } from '../../src/platform/env.js';
import { route } from './edge-harness.js';

describe('SLIPWAY_EDGE_HTTPS_PORT', () => {
  it('takes a port, 0 for a free one, "off", and defaults to 443 as root and 8443 otherwise', () => {
    assert.equal(readSettings({ SLIPWAY_EDGE_HTTPS_PORT: '9443' }).edgeHttpsPort, 9443);
    assert.equal(readSettings({ SLIPWAY_EDGE_HTTPS_PORT: '0' }).edgeHttpsPort, 0);
    assert.equal(readSettings({ SLIPWAY_EDGE_HTTPS_PORT: 'off' }).edgeHttpsPort, 'off');
    assert.equal(readSettings({}).edgeHttpsPort, process.getuid?.() === 0 ? 443 : 8443);
  });

  it('refuses anything else, naming the variable', () => {
    assert.throws(() => readSettings({ SLIPWAY_EDGE_HTTPS_PORT: 'https' }), /environment variable SLIPWAY_EDGE_HTTPS_PORT: expected a port \(0 picks a free one\) or "off"/);
    assert.throws(() => readSettings({ SLIPWAY_EDGE_HTTPS_PORT: '70000' }), /SLIPWAY_EDGE_HTTPS_PORT: expected a port up to 65535/);
  });
});

describe('https policy', () => {
  const tlsRoute: EdgeRoute = route('a/b', [], { hosts: ['shop.test', 'www.shop.test'], tls: { hsts: true }, canonicalHost: 'shop.test' });
  const req = (secure: boolean, hostHeader: string, target = '/p?q=1') => ({ secure, host: hostHeader.replace(/:\d+$/, ''), hostHeader, target });

  it('leaves the port out of the https URL when it is 443 and keeps it otherwise', () => {
    assert.equal(redirectFor(tlsRoute, req(false, 'shop.test'), 443), 'https://shop.test/p?q=1');
    assert.equal(redirectFor(tlsRoute, req(false, 'shop.test:80'), 8443), 'https://shop.test:8443/p?q=1');
  });

  it('serves the canonical host over https, and plain HTTP when the edge has no HTTPS listener', () => {
    assert.equal(redirectFor(tlsRoute, req(true, 'shop.test'), 443), null);
    assert.equal(redirectFor(tlsRoute, req(false, 'shop.test'), null), null);
    assert.equal(redirectFor(tlsRoute, req(false, 'www.shop.test:8080'), null), 'http://shop.test:8080/p?q=1', 'canonical redirect keeps the scheme and the port it came by');
  });

  it('never redirects the ACME HTTP-01 path to https', () => {
    assert.equal(redirectFor(tlsRoute, req(false, 'shop.test', '/.well-known/acme-challenge/abc'), 443), null);
    assert.equal(redirectFor(tlsRoute, req(false, 'shop.test', '/.well-known/other'), 443), 'https://shop.test/.well-known/other');
  });

  it('routes without tls or canonical host are never redirected, and get no HSTS', () => {
    const plain = route('p/q', [], { hosts: ['p.test'] });
    assert.equal(redirectFor(plain, req(false, 'p.test'), 443), null);
    assert.equal(wantsHsts(plain, true), false);
    assert.equal(wantsHsts(tlsRoute, true), true);
    assert.equal(wantsHsts(tlsRoute, false), false, 'never over plain HTTP (RFC 6797 7.2)');
    assert.equal(wantsHsts({ ...tlsRoute, tls: { hsts: false } }, true), false);
  });
});
