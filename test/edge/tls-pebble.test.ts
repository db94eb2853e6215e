// The edge's ACME challenge answers validated by a real CA: Pebble checks HTTP-01 on the edge's
// HTTP listener and TLS-ALPN-01 on its HTTPS listener (answers pushed through the admin API, the
// ACME side spoken by acme-client), issues, and the issued certificates then serve HTTPS that
// curl verifies with Pebble's root.
import assert from 'node:assert/strict';
import https from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as acme from 'acme-client';
import { Sensitive } from '../../src/core/sensitive.js';
import { run } from '../../src/platform/exec.js';
import { route, startTestEdge, type TestEdge } from './edge-harness.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';
import { startPebble, type Pebble } from './pebble-harness.js';

describe('edge HTTPS: challenges validated by Pebble', () => {
  let edge: TestEdge;
  let up: FakeUpstream;
  let pebble: Pebble;
  let client: acme.Client;

  before(async () => {
    up = await startUpstream('app');
    edge = await startTestEdge({ httpsPort: 0 });
    pebble = await startPebble({ httpPort: edge.edge.port, tlsPort: edge.edge.httpsPort as number });
    acme.axios.defaults.httpsAgent = new https.Agent({ ca: pebble.serverCertificatePem });
    client = new acme.Client({ directoryUrl: pebble.directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey() });
    await client.createAccount({ termsOfServiceAgreed: true });
  });

  after(async () => {
    await edge?.close();
    await up?.close();
    await pebble?.stop();
  });

  async function issue(host: string, type: 'http-01' | 'tls-alpn-01'): Promise<{ certificatePem: string; keyPem: string }> {
    const order = await client.createOrder({ identifiers: [{ type: 'dns', value: host }] });
    const [authz] = await client.getAuthorizations(order);
    assert.ok(authz);
    const challenge = authz.challenges.find((c) => c.type === type);
    assert.ok(challenge, `Pebble offers ${type}`);
    const keyAuthorization = await client.getChallengeKeyAuthorization(challenge);
    if (type === 'http-01') {
      await edge.client.putChallenge({ type, token: (challenge as { token: string }).token, keyAuthorization });
    } else {
      const [key, cert] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization);
      await edge.client.putChallenge({ type, host, certificatePem: cert.toString(), keyPem: new Sensitive(key.toString()) });
    }
    try {
      await client.completeChallenge(challenge);
      await client.waitForValidStatus(challenge);
    } finally {
      await edge.client.removeChallenge(type, type === 'http-01' ? (challenge as { token: string }).token : host);
    }
    const [key, csr] = await acme.crypto.createCsr({ commonName: host, altNames: [host] });
    const done = await client.finalizeOrder(order, csr);
    return { certificatePem: await client.getCertificate(done), keyPem: key.toString() };
  }

  it('issues over HTTP-01 and TLS-ALPN-01 answered by the edge, and serves the results to curl --cacert <Pebble root>', async () => {
    const viaHttp = await issue('http.test', 'http-01');
    const viaAlpn = await issue('alpn.test', 'tls-alpn-01');
    for (const [id, pair] of [['http.test', viaHttp], ['alpn.test', viaAlpn]] as const) {
      await edge.client.putCertificate({ id, hosts: [id], certificatePem: pair.certificatePem, keyPem: new Sensitive(pair.keyPem) });
    }
    await edge.client.putRoute(route('app/prod', [up.url], { hosts: ['http.test', 'alpn.test'], tls: { hsts: true } }));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pebble-root-'));
    try {
      const root = path.join(dir, 'root.pem');
      await writeFile(root, await pebble.rootPem());
      const port = edge.edge.httpsPort as number;
      for (const host of ['http.test', 'alpn.test']) {
        const r = await run(['curl', '-sS', '--cacert', root, '--resolve', `${host}:${port}:127.0.0.1`, '-w', ' %{http_code}', `https://${host}:${port}/`], { timeoutMs: 10_000 });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), 'app 200', host);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
