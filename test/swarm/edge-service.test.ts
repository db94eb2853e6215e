// The edge as a Swarm service on the real single-node swarm: built FROM scratch (node + its
// libraries + the bundle), host-mode port, admin socket through the bind-mounted data dir,
// idempotent, and routing by DNS to the tasks of a service on the slipway-edge network.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { parseDockerHost } from '../../src/drivers/swarm/engine/connection.js';
import { EngineClient } from '../../src/drivers/swarm/engine/engine-client.js';
import { SwarmApi } from '../../src/drivers/swarm/engine/swarm-api.js';
import { ensureEdgeService } from '../../src/drivers/swarm/edge/edge-service.js';
import { buildTestImage, busyboxSkip, webFiles } from '../support/swarm-images.js';
import { requireSwarmEnv } from '../support/swarm-env.js';
import { startLoad } from '../support/load-generator.js';
import { startSwarmEdge, type SwarmEdge } from '../support/swarm-edge.js';
import { TestCa } from '../support/test-ca.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { run } from '../../src/platform/exec.js';

const { env, skip } = await requireSwarmEnv();
const missingBusybox = busyboxSkip();

describe('the edge as a Swarm service', { skip: skip || missingBusybox || false, timeout: 300_000 }, () => {
  let engine: EngineClient;
  let api: SwarmApi;
  let edge: SwarmEdge;
  const svcName = `edgesvc${(Date.now() % 1_000_000).toString(36)}_web`;
  let svcId: string | undefined;
  let ca: TestCa | undefined;

  /** "<status> <body>" of https://web.test/ at the edge's HTTPS port, verified by curl against the test CA. */
  async function httpsStatus(): Promise<string> {
    assert.ok(ca);
    const r = await run(['curl', '-sS', '--cacert', ca.caFile, '--resolve', `web.test:${edge.httpsPort}:127.0.0.1`, '-w', '\n%{http_code}', `https://web.test:${edge.httpsPort}/`], { timeoutMs: 15_000 });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    return `${lines.at(-1) ?? ''} ${lines.slice(0, -1).join('\n').trim()}`;
  }

  before(async () => {
    engine = await EngineClient.connect(parseDockerHost(env!.dockerHost));
    api = new SwarmApi(engine);
    edge = await startSwarmEdge(engine, env!.registry);
  });
  after(async () => {
    if (svcId) await api.removeService(svcId).catch(() => undefined);
    await edge?.close();
    await ca?.close();
    engine?.close();
  });

  it('runs FROM scratch, publishes its host port and answers its admin API on the bind-mounted socket', async () => {
    assert.equal(edge.result.action, 'created');
    assert.deepEqual(await edge.client.listRoutes(), []);
    const res = await request(`${edge.base}/`, { headers: { host: 'nothing.test' } });
    assert.equal(res.statusCode, 404);
    await res.body.dump();
    const svc = await api.inspectService(edge.result.serviceId);
    assert.equal(svc.Spec.EndpointSpec?.Ports?.[0]?.PublishMode, 'host');
    assert.deepEqual(svc.Spec.TaskTemplate.Placement?.Constraints, ['node.role==manager']);
    assert.match(svc.Spec.TaskTemplate.ContainerSpec.Image, /slipway-edge@sha256:/);
  });

  it('an unchanged edge is not rebuilt or updated', async () => {
    const before = await api.inspectService(edge.result.serviceId);
    const t = Date.now();
    const again = await ensureEdgeService(engine, edge.options);
    assert.equal(again.action, 'unchanged');
    assert.ok(Date.now() - t < 10_000, `took ${Date.now() - t} ms`);
    const afterSvc = await api.inspectService(edge.result.serviceId);
    assert.equal(afterSvc.Version.Index, before.Version.Index);
  });

  it('routes to the tasks of a service on the slipway-edge network, discovered by DNS', async () => {
    const image = await buildTestImage(engine, env!.registry, 'edgesvc', 'v1', webFiles('s1'));
    const networkId = edge.result.networkId;
    svcId = (
      await api.createService({
        Name: svcName,
        Labels: {},
        TaskTemplate: { ContainerSpec: { Image: image, Labels: {}, Command: ['httpd', '-f', '-p', '8080', '-h', '/www'] }, Networks: [{ Target: networkId }] },
        Mode: { Replicated: { Replicas: 2 } },
        EndpointSpec: { Mode: 'dnsrr' },
      })
    ).ID;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const tasks = await api.listTasks({ service: [svcId], 'desired-state': ['running'] });
      if (tasks.filter((t) => t.Status.State === 'running').length === 2) break;
      if (Date.now() > deadline) throw new Error('the web service did not start');
      await new Promise((r) => setTimeout(r, 250));
    }
    const state = await edge.client.putRoute({
      id: 'edgesvc/test',
      hosts: ['web.test'],
      pathPrefix: '/',
      stripPrefix: false,
      targets: [{ url: `http://tasks.${svcName}:8080`, discover: 'dns' }],
      healthCheck: { path: '/health', intervalMs: 500, timeoutMs: 1000, healthyThreshold: 1 },
      drainTimeoutMs: 5000,
      releaseHeader: null,
      release: null,
      maintenance: null,
    });
    assert.equal(Object.keys(state.inFlight).length, 2, JSON.stringify(state.inFlight));
    const res = await request(`${edge.base}/`, { headers: { host: 'web.test' } });
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), 's1\n');
  });

  it('serves HTTPS with a certificate pushed through its admin socket, verified by curl', async () => {
    ca = await TestCa.create();
    const pair = await ca.issue(['web.test']);
    await edge.client.putCertificate({ id: 'web.test', hosts: ['web.test'], certificatePem: pair.certificatePem, keyPem: new Sensitive(pair.keyPem) });
    const route = await edge.client.getRoute('edgesvc/test');
    assert.ok(route);
    const { paused: _p, inFlight: _f, ...plain } = route;
    await edge.client.putRoute({ ...plain, tls: { hsts: true } });
    assert.equal(await httpsStatus(), '200 s1');
    const redirect = await request(`${edge.base}/`, { headers: { host: 'web.test' } });
    await redirect.body.dump();
    assert.equal(redirect.statusCode, 308);
    assert.equal(redirect.headers['location'], `https://web.test:${edge.httpsPort}/`);
    // Back to plain HTTP for the update test's load (HTTPS keeps being served: the certificate stays).
    await edge.client.putRoute({ ...plain, tls: null });
  });

  it('an update (changed setting) restarts the edge stop-first with its routes restored from the bind-mounted snapshot', async () => {
    const load = startLoad({ url: `${edge.base}/`, headers: { host: 'web.test' }, concurrency: 2, maxDurationMs: 120_000, failureSampleSize: 100_000 });
    await new Promise((r) => setTimeout(r, 500));
    const t = performance.now();
    const updated = await ensureEdgeService(engine, { ...edge.options, logLevel: 'error' });
    const updateMs = Math.round(performance.now() - t);
    assert.equal(updated.action, 'updated');
    load.mark();
    await new Promise((r) => setTimeout(r, 1500));
    const report = await load.stop();
    // Host-mode port on one node: the old edge must stop before the new one binds it, so
    // requests during that gap fail. This is the figure, not a target of 0.
    const gapMs = (report.failureSamples.at(-1)?.atMs ?? 0) - (report.failureSamples[0]?.atMs ?? 0);
    const kinds = [...new Set(report.failureSamples.map((f) => f.error ?? String(f.status)))];
    console.log(`# edge update took ${updateMs} ms; requests failed for ${gapMs} ms (${report.failures} of ${report.total}, clients retrying at once): ${JSON.stringify(kinds)}`);
    assert.equal(report.failuresAfterMark, 0);
    assert.deepEqual(Object.keys(report.bodiesAfterMark), ['s1\n']);
    assert.ok((await edge.client.getRoute('edgesvc/test')) !== null);
    assert.equal(await httpsStatus(), '200 s1', 'its certificates are restored from the bind-mounted data dir too');
  });
});
