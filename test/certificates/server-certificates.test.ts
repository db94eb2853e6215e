// Certificates wired into the control plane (src/server.ts, given the HTTPS parts): a deploy of a
// route with tls: auto runs the certificates step (its certificate issued, stored, pushed), the API
// lists it, and after a restart the stored certificate is given to the (new, empty) edge again.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HttpsParts } from '../../src/server.js';
import type { CertificateView } from '../../src/core/wire/certificates.js';
import { systemClock } from '../../src/platform/clock.js';
import { createAppRepo, VALID_SPEC } from '../http/app-repo.js';
import { startControlPlane, type TestControlPlane } from '../http/control-plane.js';
import type { TestRepo } from '../support/git-repo.js';
import { RecordingEdgeTls } from '../support/recording-edge-tls.js';
import { TestCa } from '../support/test-ca.js';
import { TestCertificateIssuer } from '../support/test-certificate-issuer.js';
import { waitUntil } from '../support/wait-until.js';

const SPEC = VALID_SPEC.replace('route: { path: /, host: staging.shop.localhost }', 'route: { hosts: [shop.example, www.shop.example], tls: auto }');
const TERMINAL = ['succeeded', 'failed', 'rolled_back', 'compensation_failed', 'cancelled', 'superseded'];

describe('certificates in the control plane', () => {
  let ca: TestCa;
  let repo: TestRepo;
  let dataDir: string;
  let cp: TestControlPlane | undefined;

  const parts = (edge: RecordingEdgeTls): HttpsParts => ({
    edgeTls: edge,
    issuer: new TestCertificateIssuer(ca, systemClock),
    solvers: { dns: false, solvers: () => [] },
  });

  before(async () => {
    ca = await TestCa.create();
    repo = await createAppRepo(SPEC);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-certs-server-'));
  });
  after(async () => {
    await cp?.close();
    await repo?.cleanup();
    await ca?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('a deploy issues and pushes the certificate before the release starts; a restart gives it to the edge again', async () => {
    const edge = new RecordingEdgeTls();
    cp = await startControlPlane({ https: parts(edge), dataDir });
    assert.equal((await cp.request('POST', '/api/apps', { body: { name: 'shop', repo: repo.bare } })).status, 201);
    const queued = await cp.request('POST', '/api/apps/shop/environments/staging/deployments', { body: {} });
    assert.equal(queued.status, 202, queued.text);
    const id = (queued.json as { deployment: { id: string } }).deployment.id;
    let steps: { name: string; status: string }[] = [];
    await waitUntil('the deployment to end', async () => {
      const d = (await cp!.request('GET', `/api/deployments/${id}`)).json as { deployment: { status: string; steps: { name: string; status: string }[] } };
      steps = d.deployment.steps;
      return TERMINAL.includes(d.deployment.status);
    }, 60_000, 100);
    // Without an edge (SLIPWAY_EDGE=off here) the traffic switch cannot succeed; the step before stage has.
    assert.deepEqual(steps.find((s) => s.name === 'certificates')?.status, 'succeeded', JSON.stringify(steps));
    assert.ok(steps.findIndex((s) => s.name === 'certificates') < steps.findIndex((s) => s.name === 'stage'));
    assert.deepEqual(edge.puts.map((p) => p.hosts), [['shop.example', 'www.shop.example']]);
    const listed = (await cp.request('GET', '/api/certificates')).json as { certificates: CertificateView[] };
    assert.deepEqual(listed.certificates.map((c) => [c.hosts, c.source, c.condition]), [[['shop.example', 'www.shop.example'], 'acme', 'valid']]);
    const log = (await cp.request('GET', `/api/deployments/${id}/log`)).text;
    assert.match(log, /ordering a certificate for shop\.example, www\.shop\.example from https:\/\/acme-v02\.api\.letsencrypt\.org\/directory/);
    await cp.close();
    cp = undefined;

    const restarted = new RecordingEdgeTls();
    cp = await startControlPlane({ https: parts(restarted), dataDir });
    await waitUntil('the stored certificate on the new edge', () => restarted.puts.length === 1, 10_000);
    assert.equal(restarted.puts[0]?.certificatePem, edge.puts[0]?.certificatePem);
    assert.equal(restarted.puts[0]?.keyPem.reveal(), edge.puts[0]?.keyPem.reveal());
    assert.doesNotMatch(cp.logs(), /PRIVATE KEY/);
  });
});
