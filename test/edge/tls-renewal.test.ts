// Replacing a certificate (same id) while clients keep sending: no request fails, a kept-alive
// connection stays open on its old certificate, and every new handshake after the put gets the new one.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { Sensitive } from '../../src/core/sensitive.js';
import { TestCa } from '../support/test-ca.js';
import { route, startTestEdge, type TestEdge } from './edge-harness.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';
import { fingerprintOf, handshake, httpsGet } from './tls-client.js';

describe('edge HTTPS: certificate replacement under load', () => {
  let ca: TestCa;
  let edge: TestEdge;
  let up: FakeUpstream;

  before(async () => {
    ca = await TestCa.create();
    up = await startUpstream('app');
    edge = await startTestEdge({ httpsPort: 0 });
    await edge.client.putRoute(route('r/prod', [up.url], { hosts: ['r.test'], tls: { hsts: true } }));
  });

  after(async () => {
    await edge?.close();
    await up?.close();
    await ca?.close();
  });

  it('drops no request while the certificate is replaced five times', async () => {
    const port = edge.edge.httpsPort as number;
    const pairs = await Promise.all([0, 1, 2, 3, 4, 5].map(() => ca.issue(['r.test'])));
    const putPair = (i: number) =>
      edge.client.putCertificate({ id: 'r', hosts: ['r.test'], certificatePem: pairs[i]!.certificatePem, keyPem: new Sensitive(pairs[i]!.keyPem) });
    await putPair(0);

    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    agent.on('free', (socket) => sockets.add(socket));
    let stop = false;
    const failures: string[] = [];
    let keptAlive = 0;
    let fresh = 0;
    const keepAliveLoop = (async () => {
      while (!stop) {
        const res = await httpsGet(port, 'r.test', '/', { ca: ca.certificatePem, agent }).catch((err: Error) => ({ status: 0, body: err.message, headers: {} }));
        if (res.status !== 200 || res.body !== 'app') failures.push(`kept-alive: ${res.status} ${res.body}`);
        keptAlive++;
      }
    })();
    const freshLoop = (async () => {
      while (!stop) {
        const res = await httpsGet(port, 'r.test', '/', { ca: ca.certificatePem }).catch((err: Error) => ({ status: 0, body: err.message, headers: {} }));
        if (res.status !== 200 || res.body !== 'app') failures.push(`new connection: ${res.status} ${res.body}`);
        fresh++;
      }
    })();
    try {
      for (let i = 1; i <= 5; i++) {
        const before = keptAlive + fresh;
        await putPair(i);
        assert.equal((await handshake(port, 'r.test', { ca: ca.certificatePem })).fingerprint, fingerprintOf(pairs[i]!.certificatePem), `new handshakes get certificate ${i}`);
        // Requests go on between the puts (polled, not slept).
        const deadline = Date.now() + 5000;
        while (keptAlive + fresh < before + 20 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
      }
    } finally {
      stop = true;
      await Promise.all([keepAliveLoop, freshLoop]);
      agent.destroy();
    }
    assert.deepEqual(failures, []);
    assert.ok(keptAlive > 50 && fresh > 10, `requests sent: ${keptAlive} kept-alive, ${fresh} on new connections`);
    assert.equal(sockets.size, 1, 'the kept-alive client used one connection throughout');
  });
});
