// The edge's HTTPS listener with real clients (node:tls, curl, openssl s_client): SNI picks the
// certificate (exact host, then a one-level wildcard, else the handshake fails), TLS 1.2 and 1.3
// are served and 1.1 refused, sessions resume (tickets and session ids), h2 is negotiated and served.
import assert from 'node:assert/strict';
import { SSL_OP_NO_TICKET } from 'node:constants';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { Sensitive } from '../../src/core/sensitive.js';
import { run } from '../../src/platform/exec.js';
import { TestCa } from '../support/test-ca.js';
import { route, startTestEdge, type TestEdge } from './edge-harness.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';
import { fingerprintOf, handshake, httpsGet } from './tls-client.js';

describe('edge HTTPS: SNI, versions, resumption', () => {
  let ca: TestCa;
  let edge: TestEdge;
  let up: FakeUpstream;
  let port: number;
  const fp: Record<string, string> = {};

  before(async () => {
    ca = await TestCa.create();
    up = await startUpstream('app');
    edge = await startTestEdge({ httpsPort: 0 });
    port = edge.edge.httpsPort as number;
    const certs = {
      shop: { hosts: ['shop.test'], pair: await ca.issue(['shop.test']) },
      blog: { hosts: ['blog.test'], pair: await ca.issue(['blog.test']) },
      wild: { hosts: ['*.apps.test'], pair: await ca.issue(['*.apps.test']) },
      exact: { hosts: ['special.apps.test'], pair: await ca.issue(['special.apps.test']) },
    };
    for (const [id, c] of Object.entries(certs)) {
      await edge.client.putCertificate({ id, hosts: c.hosts, certificatePem: c.pair.certificatePem, keyPem: new Sensitive(c.pair.keyPem) });
      fp[id] = fingerprintOf(c.pair.certificatePem);
    }
    await edge.client.putRoute(route('app/prod', [up.url]));
  });

  after(async () => {
    await edge?.close();
    await up?.close();
    await ca?.close();
  });

  it('presents the certificate of each host, the wildcard for its subdomains, and the exact one before the wildcard', async () => {
    const opts = { ca: ca.certificatePem };
    assert.equal((await handshake(port, 'shop.test', opts)).fingerprint, fp.shop);
    assert.equal((await handshake(port, 'blog.test', opts)).fingerprint, fp.blog);
    assert.equal((await handshake(port, 'one.apps.test', opts)).fingerprint, fp.wild);
    assert.equal((await handshake(port, 'SPECIAL.apps.test', opts)).fingerprint, fp.exact);
    const res = await httpsGet(port, 'blog.test', '/', { ca: ca.certificatePem });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'app');
  });

  it('fails the handshake with an alert for a name no certificate covers (two levels under a wildcard too)', async () => {
    await assert.rejects(handshake(port, 'unknown.test', { ca: ca.certificatePem }), /alert handshake failure/);
    await assert.rejects(handshake(port, 'a.b.apps.test', { ca: ca.certificatePem }), /alert handshake failure/);
    await assert.rejects(handshake(port, 'apps.test', { ca: ca.certificatePem }), /alert handshake failure/);
  });

  it('is verified by curl --cacert for two hosts and a wildcard', async () => {
    for (const host of ['shop.test', 'blog.test', 'x.apps.test']) {
      const r = await run(['curl', '-sS', '--cacert', ca.caFile, '--resolve', `${host}:${port}:127.0.0.1`, '-w', ' %{http_code} %{ssl_verify_result}', `https://${host}:${port}/`], { timeoutMs: 10_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'app 200 0', host);
    }
  });

  it('serves TLS 1.2 and TLS 1.3 and refuses TLS 1.1', async () => {
    assert.equal((await handshake(port, 'shop.test', { ca: ca.certificatePem, maxVersion: 'TLSv1.2' })).protocol, 'TLSv1.2');
    assert.equal((await handshake(port, 'shop.test', { ca: ca.certificatePem, minVersion: 'TLSv1.3' })).protocol, 'TLSv1.3');
    const sClient = (version: string) =>
      run(['openssl', 's_client', '-connect', `127.0.0.1:${port}`, '-servername', 'shop.test', version, '-cipher', 'DEFAULT@SECLEVEL=0'], { timeoutMs: 10_000 });
    const ok = await sClient('-tls1_2');
    assert.match(ok.stdout, /Protocol\s*: TLSv1\.2/, 'the same client with TLS 1.2 gets through (so the 1.1 refusal is the server\'s)');
    const old = await sClient('-tls1_1');
    assert.notEqual(old.code, 0);
    assert.match(old.stdout + old.stderr, /protocol version|unsupported protocol/i);
  });

  it('negotiates h2 by ALPN (http/1.1 for clients without it) and serves HTTP/2 to curl and node:http2', async () => {
    assert.equal((await handshake(port, 'shop.test', { ca: ca.certificatePem, ALPNProtocols: ['h2', 'http/1.1'] })).alpn, 'h2');
    assert.equal((await handshake(port, 'shop.test', { ca: ca.certificatePem, ALPNProtocols: ['http/1.1'] })).alpn, 'http/1.1');
    await assert.rejects(handshake(port, 'shop.test', { ca: ca.certificatePem, ALPNProtocols: ['spdy/3'] }), /no application protocol/);
    const r = await run(['curl', '-sS', '--http2', '--cacert', ca.caFile, '--resolve', `shop.test:${port}:127.0.0.1`, '-w', ' %{http_version} %{http_code}', `https://shop.test:${port}/`], { timeoutMs: 10_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'app 2 200');
    const session = http2.connect(`https://shop.test:${port}`, { ca: ca.certificatePem, servername: 'shop.test', host: '127.0.0.1', port } as http2.SecureClientSessionOptions);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = session.request({ ':path': '/', ':authority': 'shop.test' });
        let text = '';
        req.setEncoding('utf8');
        req.on('data', (d: string) => (text += d));
        req.on('end', () => resolve(text));
        req.on('error', reject);
      });
      assert.equal(body, 'app');
    } finally {
      session.close();
    }
  });

  for (const [name, opts] of [
    ['TLS 1.3 tickets', { minVersion: 'TLSv1.3' }],
    ['TLS 1.2 tickets', { maxVersion: 'TLSv1.2' }],
    ['TLS 1.2 session ids', { maxVersion: 'TLSv1.2', secureOptions: SSL_OP_NO_TICKET }],
  ] as const) {
    it(`resumes a session (${name})`, async () => {
      const first = await handshake(port, 'shop.test', { ca: ca.certificatePem, ...opts, awaitSession: true });
      assert.equal(first.reused, false);
      assert.ok(first.session, 'the server gave the client a session');
      const again = await handshake(port, 'shop.test', { ca: ca.certificatePem, ...opts, session: first.session });
      assert.equal(again.reused, true);
    });
  }

  it('lists the certificates without keys', async () => {
    const list = await edge.client.listCertificates();
    assert.deepEqual(list.map((c) => c.id), ['blog', 'exact', 'shop', 'wild']);
    const shop = list.find((c) => c.id === 'shop');
    assert.equal(shop?.fingerprint, fp.shop);
    assert.deepEqual(shop?.hosts, ['shop.test']);
    assert.doesNotMatch(JSON.stringify(list), /PRIVATE KEY|keyPem/);
  });
});
