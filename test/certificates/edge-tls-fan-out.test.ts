// Several edges as one EdgeTls: puts reach every edge in use; an edge that lacks a certificate
// (a Swarm edge that came into use later) gets it at the next sync.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EdgeTlsFanOut } from '../../src/edge-tls-fan-out.js';
import { systemClock } from '../../src/platform/clock.js';
import { SecretBox } from '../../src/secrets/secret-box.js';
import { CertificateService } from '../../src/services/certificate-service.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.js';
import { RecordingEdgeTls } from '../support/recording-edge-tls.js';
import { TestCa } from '../support/test-ca.js';
import { TestCertificateIssuer } from '../support/test-certificate-issuer.js';

let ca: TestCa;
let store: SqliteStore;
before(async () => {
  ca = await TestCa.create();
  store = await openSqliteStore(':memory:');
});
after(async () => {
  await store.close();
  await ca.close();
});

test('certificates reach every edge in use; one that comes into use later gets them at the next sync', async () => {
  const local = new RecordingEdgeTls();
  const swarm = new RecordingEdgeTls();
  let swarmInUse = false;
  const edges = new EdgeTlsFanOut(() => (swarmInUse ? [local, swarm] : [local]));
  const service = new CertificateService({
    store, cipher: SecretBox.fromKey(Buffer.alloc(32, 3)), edge: edges,
    issuer: new TestCertificateIssuer(ca, systemClock),
    solvers: { dns: false, solvers: () => [] },
    account: () => ({ directoryUrl: 'https://acme.test/dir' }),
  });
  await service.ensure('a/p', ['a.example'], 'auto');
  assert.equal(local.puts.length, 1);
  assert.equal(swarm.puts.length, 0);
  swarmInUse = true;
  assert.deepEqual(await service.syncEdge(), { pushed: ['a.example'], failures: [] });
  assert.equal(swarm.puts.length, 1);
  assert.deepEqual(await service.syncEdge(), { pushed: [], failures: [] });
  await service.ensure('b/p', ['b.example'], 'auto');
  assert.deepEqual([local.puts.length, swarm.puts.length], [3, 2]);
  await assert.rejects(new EdgeTlsFanOut(() => []).listCertificates(), /no edge to give certificates to/);
});
