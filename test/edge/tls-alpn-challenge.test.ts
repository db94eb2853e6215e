// ACME TLS-ALPN-01 answered by the edge (RFC 8737): a ClientHello for a host with a pending
// challenge that offers ALPN "acme-tls/1" gets the challenge certificate (with its acmeIdentifier)
// and "acme-tls/1", and the edge closes after the handshake; every other ClientHello for that host
// gets the normal certificate.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { Sensitive } from '../../src/core/sensitive.js';
import { run } from '../../src/platform/exec.js';
import { TestCa, type MintedCertificate as IssuedPair } from '../support/test-ca.js';
import { startTestEdge, type TestEdge } from './edge-harness.js';
import { fingerprintOf, handshake } from './tls-client.js';

describe('edge HTTPS: TLS-ALPN-01 challenges', () => {
  let ca: TestCa;
  let edge: TestEdge;
  let port: number;
  let normal: IssuedPair;
  let challenge: IssuedPair;
  let fresh: IssuedPair;

  before(async () => {
    ca = await TestCa.create();
    edge = await startTestEdge({ httpsPort: 0 });
    port = edge.edge.httpsPort as number;
    normal = await ca.issue(['a.test']);
    challenge = await ca.challengeCertificate('a.test', 'tokA.thumb');
    fresh = await ca.challengeCertificate('new.test', 'tokN.thumb');
    await edge.client.putCertificate({ id: 'a', hosts: ['a.test'], certificatePem: normal.certificatePem, keyPem: new Sensitive(normal.keyPem) });
    await edge.client.putChallenge({ type: 'tls-alpn-01', host: 'a.test', certificatePem: challenge.certificatePem, keyPem: new Sensitive(challenge.keyPem) });
    await edge.client.putChallenge({ type: 'tls-alpn-01', host: 'new.test', certificatePem: fresh.certificatePem, keyPem: new Sensitive(fresh.keyPem) });
  });

  after(async () => {
    await edge?.close();
    await ca?.close();
  });

  it('presents the challenge certificate and acme-tls/1 only to a client offering acme-tls/1', async () => {
    const acme = await handshake(port, 'a.test', { rejectUnauthorized: false, ALPNProtocols: ['acme-tls/1'] });
    assert.equal(acme.alpn, 'acme-tls/1');
    assert.equal(acme.fingerprint, fingerprintOf(challenge.certificatePem));
    for (const ALPNProtocols of [['http/1.1'], undefined]) {
      const other = await handshake(port, 'a.test', { ca: ca.certificatePem, ...(ALPNProtocols ? { ALPNProtocols } : {}) });
      assert.equal(other.fingerprint, fingerprintOf(normal.certificatePem), `ALPN ${JSON.stringify(ALPNProtocols)}`);
    }
  });

  it('carries the acmeIdentifier extension (seen by openssl s_client) and the edge closes after the handshake', async () => {
    const r = await run(['openssl', 's_client', '-connect', `127.0.0.1:${port}`, '-servername', 'new.test', '-alpn', 'acme-tls/1', '-showcerts'], { timeoutMs: 10_000 });
    assert.match(r.stdout, /ALPN protocol: acme-tls\/1/);
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(r.stdout)?.[0] ?? '';
    assert.equal(fingerprintOf(pem), fingerprintOf(fresh.certificatePem));
    const text = await run(['openssl', 'x509', '-noout', '-text'], { input: pem });
    assert.match(text.stdout, /1\.3\.6\.1\.5\.5\.7\.1\.31: critical/);
    const closed = await new Promise<boolean>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port, servername: 'new.test', rejectUnauthorized: false, ALPNProtocols: ['acme-tls/1'] });
      s.on('error', reject);
      s.on('data', () => undefined);
      s.once('end', () => resolve(true));
    });
    assert.ok(closed);
    assert.ok(new X509Certificate(fresh.certificatePem).checkHost('new.test'));
  });

  it('serves no certificate for a host with only a challenge to a normal client, and none after the challenge is removed', async () => {
    await assert.rejects(handshake(port, 'new.test', { ca: ca.certificatePem, ALPNProtocols: ['http/1.1'] }), /alert handshake failure/);
    await edge.client.removeChallenge('tls-alpn-01', 'a.test');
    const after = await handshake(port, 'a.test', { rejectUnauthorized: false, ALPNProtocols: ['acme-tls/1', 'http/1.1'] });
    assert.equal(after.alpn, 'http/1.1');
    assert.equal(after.fingerprint, fingerprintOf(normal.certificatePem));
    await assert.rejects(handshake(port, 'a.test', { rejectUnauthorized: false, ALPNProtocols: ['acme-tls/1'] }), /no application protocol/);
  });
});
