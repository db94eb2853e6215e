// On-demand TLS at the edge, with real TLS clients and the real admin API: a handshake for a name
// the edge has no certificate for waits while the name is on the `GET /tls/wanted` stream, and
// completes with the certificate put meanwhile; a refused name fails at once and, remembered,
// fails again without being asked for; without a listener, or for a name that is no DNS name, the
// handshake fails at once; the on-demand route serves hosts no other route claims, and a second
// on-demand route on the same edge is refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WantedCertificate } from '../../src/core/ports/edge-tls.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { TestCa } from '../support/test-ca.js';
import { waitUntil } from '../support/wait-until.js';
import { route, startTestEdge, type TestEdge } from './edge-harness.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';
import { fingerprintOf, handshake, httpsGet } from './tls-client.js';

describe('edge HTTPS: on-demand certificates', () => {
  let ca: TestCa;
  let edge: TestEdge;
  let custom: FakeUpstream;
  let known: FakeUpstream;
  let port: number;
  const wanted: WantedCertificate[] = [];
  /** What the stream's reader does with each name (the test's stand-in for the control plane). */
  let answer: (w: WantedCertificate) => Promise<void> = async () => undefined;
  let stream: AbortController;
  let reading: Promise<void>;

  const listen = () => {
    stream = new AbortController();
    const signal = stream.signal;
    reading = (async () => {
      for await (const w of edge.client.wantedCertificates(signal)) {
        wanted.push(w);
        void answer(w);
      }
    })().catch(() => undefined);
  };

  before(async () => {
    ca = await TestCa.create();
    custom = await startUpstream('custom');
    known = await startUpstream('known');
    edge = await startTestEdge({ httpsPort: 0, onDemandWaitMs: 3000 });
    port = edge.edge.httpsPort as number;
    await edge.client.putRoute(route('custom/prod', [custom.url], { hosts: ['app.test'], tls: { hsts: false }, onDemandTls: true }));
    await edge.client.putRoute(route('known/prod', [known.url], { hosts: ['known.test'] }));
    await listenReady();
  });

  /** Listens, and returns once the edge hands wanted names to this listener (a probe name is asked for). */
  async function listenReady(): Promise<void> {
    listen();
    const probe = `probe-${wanted.length}.test`;
    answer = async (w) => {
      if (w.host === probe) await edge.client.refuseOnDemand(w.host, 60);
    };
    await waitUntil('the wanted stream to be open', async () => {
      await handshake(port, probe, { ca: ca.certificatePem }).catch(() => undefined);
      return wanted.some((w) => w.host === probe);
    }, 10_000, 50);
  }

  after(async () => {
    stream?.abort();
    await reading;
    await edge?.close();
    await custom?.close();
    await known?.close();
    await ca?.close();
  });

  it('holds the handshake of an unknown name until its certificate is put, then serves it from the on-demand route', async () => {
    let pair: { certificatePem: string; keyPem: string } | undefined;
    answer = async (w) => {
      if (w.host !== 'shop.customer.test') return;
      await new Promise((r) => setTimeout(r, 300)); // the certificate takes a while to obtain
      pair = await ca.issue([w.host]);
      await edge.client.putCertificate({ id: w.host, hosts: [w.host], certificatePem: pair.certificatePem, keyPem: new Sensitive(pair.keyPem) });
    };
    const started = Date.now();
    const [a, b] = await Promise.all([
      handshake(port, 'Shop.Customer.test', { ca: ca.certificatePem }),
      httpsGet(port, 'shop.customer.test', '/x', { ca: ca.certificatePem }),
    ]);
    assert.ok(Date.now() - started >= 300, 'the handshake waited for the certificate');
    assert.equal(a.fingerprint, fingerprintOf(pair!.certificatePem));
    assert.equal(b.status, 200);
    assert.equal(b.body, 'custom', 'a host no route claims is served by the on-demand route');
    assert.deepEqual(
      wanted.filter((w) => w.host === 'shop.customer.test'),
      [{ host: 'shop.customer.test', route: 'custom/prod' }],
      'two handshakes at once ask once',
    );
    // Held now: the next handshake asks nobody.
    await handshake(port, 'shop.customer.test', { ca: ca.certificatePem });
    assert.equal(wanted.filter((w) => w.host === 'shop.customer.test').length, 1);
  });

  it('fails a refused name at once and remembers the refusal', async () => {
    answer = async (w) => {
      if (w.host === 'refused.test') await edge.client.refuseOnDemand(w.host, 60);
    };
    await assert.rejects(handshake(port, 'refused.test', { ca: ca.certificatePem }), /alert handshake failure/);
    const started = Date.now();
    await assert.rejects(handshake(port, 'refused.test', { ca: ca.certificatePem }), /alert handshake failure/);
    assert.ok(Date.now() - started < 1000, 'the remembered refusal fails at once');
    assert.equal(wanted.filter((w) => w.host === 'refused.test').length, 1, 'asked once for two handshakes');
  });

  it('never asks for a name that is no DNS name, nor for a host another route names', async () => {
    const before = wanted.length;
    await assert.rejects(handshake(port, 'known.test', { ca: ca.certificatePem }), /alert handshake failure/);
    await assert.rejects(handshake(port, 'localhost', { ca: ca.certificatePem }), /alert handshake failure/);
    await assert.rejects(handshake(port, 'a..b.test', { ca: ca.certificatePem }));
    await assert.rejects(handshake(port, 'under_score.test', { ca: ca.certificatePem }), /alert handshake failure/);
    assert.equal(wanted.length, before);
  });

  it('keeps routes with hosts first: a claimed host goes to its own route', async () => {
    const res = await edge.get('/', { host: 'known.test' });
    assert.equal(res.body, 'known');
    // The on-demand route has tls: plain HTTP for an unclaimed host is its redirect to https.
    const other = await edge.get('/', { host: 'anything.else.test' });
    assert.equal(other.status, 308);
    assert.match(String(other.headers['location']), /^https:\/\/anything\.else\.test:\d+\/$/);
  });

  it('refuses a second on-demand route on the same edge, naming the first', async () => {
    await assert.rejects(
      edge.client.putRoute(route('other/prod', [known.url], { hosts: ['other.test'], tls: { hsts: false }, onDemandTls: true })),
      (err: Error) => /on_demand_tls: route custom\/prod already has on-demand TLS/.test(err.message),
    );
    assert.equal(await edge.client.getRoute('other/prod'), null);
  });

  it('fails at once while nobody listens for wanted names', async () => {
    stream.abort();
    await reading;
    await waitUntil('the handshake to fail at once without a listener', async () => {
      const started = Date.now();
      await handshake(port, 'nobody.test', { ca: ca.certificatePem }).catch(() => undefined);
      return Date.now() - started < 1000;
    }, 15_000, 50);
    assert.equal(wanted.filter((w) => w.host === 'nobody.test').length, 0);
    await listenReady();
  });
});
