// The `certificates` step of a deploy: a route with tls gets its certificate on the edge before the
// new release runs; a CA refusal fails the deploy with the CA's problem detail, nothing of the new
// release runs and the previous release stays live.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SecretBox } from '../../src/secrets/secret-box.js';
import { SYSTEM } from '../../src/services/actor.js';
import { CertificateService } from '../../src/services/certificate-service.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.js';
import { createHarness, SPEC, type Harness } from '../support/engine-harness.js';
import { RecordingEdgeTls } from '../support/recording-edge-tls.js';
import { TestCa } from '../support/test-ca.js';
import { TestCertificateIssuer } from '../support/test-certificate-issuer.js';
import { systemClock } from '../../src/platform/clock.js';

const TLS_SPEC = SPEC.replace('  staging:\n    branch: main\n', '  staging:\n    branch: main\n    route: { hosts: [shop.example, www.shop.example], tls: auto, canonical_host: shop.example, hsts: true }\n');

describe('deploy step: certificates', () => {
  let h: Harness;
  let ca: TestCa;
  let certStore: SqliteStore;
  let issuer: TestCertificateIssuer;
  const edge = new RecordingEdgeTls();
  let live: string;

  before(async () => {
    ca = await TestCa.create();
    certStore = await openSqliteStore(':memory:');
    issuer = new TestCertificateIssuer(ca, systemClock);
    const service = new CertificateService({
      store: certStore,
      cipher: SecretBox.fromKey(Buffer.alloc(32, 9)),
      edge,
      issuer,
      solvers: { dns: false, solvers: () => [{ type: 'http-01', present: async () => {}, cleanUp: async () => {} }] },
      account: () => ({ directoryUrl: 'https://acme.test/dir' }),
    });
    h = await createHarness({ certificates: service });
    const first = await h.waitFor((await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' })).id);
    assert.equal(first.status, 'succeeded', first.error ?? '');
    live = first.releaseId!;
  });
  after(async () => {
    await h.close();
    await certStore.close();
    await ca.close();
  });

  test('a route with tls auto gets its certificate on the edge before the release starts', async () => {
    await h.repo.commit({ 'slipway.yml': TLS_SPEC }, 'https');
    await h.repo.push('main');
    const d = await h.waitFor((await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' })).id);
    assert.equal(d.status, 'succeeded', d.error ?? '');
    live = d.releaseId!;
    assert.deepEqual(issuer.orders.map((o) => o.hosts), [['shop.example', 'www.shop.example']]);
    assert.deepEqual(edge.puts.map((p) => p.hosts), [['shop.example', 'www.shop.example']]);
    const steps = (await h.store.listSteps(d.id)).map((s) => s.name);
    assert.ok(steps.indexOf('certificates') < steps.indexOf('stage'), steps.join(', '));
    const log = (await h.store.readLog(d.id)).map((l) => l.text).join('\n');
    assert.match(log, /certificates for shop\.example, www\.shop\.example \(ACME\)/);
    assert.match(log, /ordering a certificate for shop\.example, www\.shop\.example/);
    assert.match(log, /is on the edge/);
    assert.doesNotMatch(log, /PRIVATE KEY/);
  });

  test('a CA refusal fails the deploy with the problem detail; nothing of the new release runs; the previous one stays live', async () => {
    await h.repo.commit({ 'slipway.yml': TLS_SPEC.replace('www.shop.example]', 'www.shop.example, new.shop.example]') }, 'another host');
    await h.repo.push('main');
    issuer.refuse('Error creating new order :: too many certificates already issued for "shop.example"');
    const callsBefore = h.driver.calls.length;
    try {
      const d = await h.waitFor((await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' })).id);
      assert.equal(d.status, 'failed');
      assert.match(d.error ?? '', /^certificates: the CA at https:\/\/acme\.test\/dir refused the certificate for shop\.example, www\.shop\.example, new\.shop\.example: /);
      assert.match(d.error ?? '', /urn:ietf:params:acme:error:rejectedIdentifier: Error creating new order :: too many certificates already issued for "shop\.example"/);
      const steps = (await h.store.listSteps(d.id)).map((s) => `${s.name}:${s.status}`);
      assert.ok(steps.includes('certificates:failed'), steps.join(', '));
      assert.ok(!steps.some((s) => /^(stage|start|switch-traffic):/.test(s)), steps.join(', '));
      const newCalls = h.driver.calls.slice(callsBefore).map((c) => c.method);
      assert.ok(!newCalls.includes('start') && !newCalls.includes('activate'), newCalls.join(', '));
      const env = await h.store.getEnvironment((await h.store.getApp('shop'))!.id, 'staging');
      assert.equal((await h.store.liveRelease(env!.id))?.id, live, 'the previous release is still live');
      assert.equal(edge.puts.length, 1, 'the edge got nothing new');
      const log = (await h.store.readLog(d.id)).map((l) => l.text).join('\n');
      assert.match(log, /too many certificates already issued/);
    } finally {
      issuer.accept();
    }
  });
});
