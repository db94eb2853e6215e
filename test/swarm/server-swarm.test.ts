// The Swarm driver wired into the control plane, end to end: a real `slipway server` process with
// SLIPWAY_DOCKER_HOST set, an app whose slipway.yml says `driver: swarm` in a real git
// repository, deployed through the API. The server starts the Slipway edge as a Swarm service and
// routes the app through it; a load generator sees zero failed requests while v2 rolls out;
// `slipway status` shows the service's replicas and `slipway logs` its output.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { ApiClient } from '../../src/cli/api-client.js';
import type { RuntimeLogLine } from '../../src/core/ports/runtime-driver.js';
import { parseDockerHost } from '../../src/drivers/swarm/engine/connection.js';
import { EngineClient } from '../../src/drivers/swarm/engine/engine-client.js';
import { SwarmApi } from '../../src/drivers/swarm/engine/swarm-api.js';
import { removeEdgeService } from '../../src/drivers/swarm/edge/edge-service.js';
import { removeStack } from '../../src/drivers/swarm/stack/remove-stack.js';
import { runCli, serverEnv } from '../cli/run-cli.js';
import { stopControlPlane } from '../support/cleanup.js';
import { apiClient, logText, waitTerminal } from '../support/deploy-client.js';
import { createTestRepo, type TestRepo } from '../support/git-repo.js';
import { startLoad } from '../support/load-generator.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { freeHostPort } from '../support/swarm-edge.js';
import { requireSwarmEnv } from '../support/swarm-env.js';
import { busyboxSkip, webFiles, writeBusyboxContext } from '../support/swarm-images.js';

const { env, skip } = await requireSwarmEnv();
const missingBusybox = busyboxSkip();
const HOST = 'swarm.test';

// The test command passes only inside the built image (its /www holds the page, CI is set) and
// not on the control plane's host, whose marker file the image lacks.
const HOST_MARKER = '/tmp/slipway-control-plane-host-marker';
const SLIPWAY_YML = `driver: swarm
swarm:
  route: { service: web, port: 8080, health_path: /health }
test:
  - ["sh", "-c", "test -f /www/index.html && test ! -e ${HOST_MARKER} && test \\"$CI\\" = true && echo image tests pass on $(cat /www/index.html)"]
environments:
  staging:
    branch: main
    require_tests: true
    route: { host: ${HOST} }
`;

const COMPOSE = `services:
  web:
    build: .
    command: ["sh", "-c", "echo web serving $$(cat /www/index.html); exec httpd -f -p 8080 -h /www"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]
      interval: 1s
      timeout: 1s
      retries: 2
    stop_grace_period: 3s
    deploy:
      replicas: 2
      endpoint_mode: dnsrr
      update_config:
        order: start-first
        failure_action: rollback
        monitor: 2s
      rollback_config:
        order: start-first
`;

describe('the control plane deploys to Docker Swarm', { skip: skip || missingBusybox || false, timeout: 600_000 }, () => {
  // Short names: the edge's admin socket path (<data dir>/swarm-edge/edge/admin.sock) must stay under 108 bytes.
  const appName = `sw${(Date.now() % 1_000_000).toString(36)}`;
  let dataDir: string;
  let repo: TestRepo;
  let server: ServerProcess;
  let client: ApiClient;
  let engine: EngineClient;
  let edgePort: number;

  async function release(version: string): Promise<void> {
    await writeBusyboxContext(repo.work, webFiles(version));
    await repo.git(['add', '-A']);
    await repo.commit({ 'slipway.yml': SLIPWAY_YML, 'docker-compose.yml': COMPOSE }, `Version ${version}`);
    await repo.push('main');
  }

  async function deploy(): Promise<{ id: string; status: string; error: string | null }> {
    const { deployment } = await client.deploy(appName, 'staging');
    return waitTerminal(client, deployment.id, 300_000);
  }

  before(async () => {
    engine = await EngineClient.connect(parseDockerHost(env!.dockerHost));
    await writeFile(HOST_MARKER, 'the control plane host\n');
    dataDir = await mkdtemp('/tmp/swsrv-');
    edgePort = await freeHostPort();
    repo = await createTestRepo();
    await release('v1');
    server = await startServerProcess({
      dataDir,
      env: {
        SLIPWAY_DOCKER_HOST: env!.dockerHost,
        SLIPWAY_SWARM_REGISTRY: env!.registry,
        SLIPWAY_SWARM_EDGE_PORT: String(edgePort),
        SLIPWAY_SWARM_EDGE_HTTPS_PORT: String(await freeHostPort()),
        ...(env!.socketPath ? { SLIPWAY_SWARM_NODE_SOCKET: env!.socketPath } : {}),
      },
    });
    client = apiClient(server.url, server.token);
    await client.createApp({ name: appName, repo: repo.bare });
  });

  after(async () => {
    const api = new SwarmApi(engine);
    await removeStack(api, `${appName}-staging`).catch((e: Error) => console.log(`# cleanup: ${e.message}`));
    await removeEdgeService(engine).catch((e: Error) => console.log(`# cleanup: ${e.message}`));
    await stopControlPlane(server, dataDir);
    await rm(HOST_MARKER, { force: true });
    await repo?.cleanup();
    engine?.close();
  });

  it('v1: the first swarm deploy starts the edge service, builds by digest and routes the environment through it', async () => {
    const d = await deploy();
    assert.equal(d.status, 'succeeded', `${d.error ?? ''}\n${await logText(client, d.id)}\n${server.logs().slice(-3000)}`);
    // undici's request: fetch() does not let a caller set Host.
    const res = await request(`http://127.0.0.1:${edgePort}/`, { headers: { host: HOST } });
    assert.equal((await res.body.text()).trim(), 'v1');
    const log = await logText(client, d.id);
    assert.match(log, /edge route \S+\/staging \(swarm\.test\/\) -> tasks of \S+_web:8080/);
    // require_tests: the test command ran inside the built image, after the build.
    assert.match(log, /image tests pass on v1/);
    assert.ok(log.indexOf('==> test') > log.indexOf('==> build') && log.indexOf('==> test') < log.indexOf('==> stage'), 'the tests ran between build and stage');
  });

  it('v2 rolls out with zero failed requests through the Swarm edge', async () => {
    await release('v2');
    const load = startLoad({ url: `http://127.0.0.1:${edgePort}/`, headers: { host: HOST }, concurrency: 4, maxDurationMs: 280_000 });
    const d = await deploy();
    load.mark();
    await new Promise((r) => setTimeout(r, 1500));
    const report = await load.stop();
    assert.equal(d.status, 'succeeded', d.error ?? '');
    assert.equal(report.failures, 0, JSON.stringify(report.failureSamples.slice(0, 5)));
    assert.ok(report.total > 50, `only ${report.total} requests were sent`);
    assert.deepEqual(Object.keys(report.bodiesAfterMark).map((b) => b.trim()), ['v2']);
    // Pruning ran on every node as a global job, without problems.
    assert.doesNotMatch(await logText(client, d.id), /pruning images on node .* failed|prune: /);
  });

  it('slipway status shows the service replicas; slipway logs shows its output', async () => {
    const { environments } = await client.status(appName);
    const runtime = environments[0]?.runtime;
    assert.ok(runtime && !('error' in runtime), JSON.stringify(runtime));
    assert.deepEqual(runtime.services?.map((s) => [s.name, s.running, s.desired]), [['web', 2, 2]]);
    assert.equal(runtime.healthy, true);

    const lines: RuntimeLogLine[] = [];
    for await (const l of client.logs(appName, 'staging', { service: 'web', tail: 50 })) lines.push(l);
    assert.ok(lines.some((l) => l.text.includes('web serving v2') && l.service === 'web' && l.stream === 'stdout'), JSON.stringify(lines.slice(-10)));
    // The Engine's timestamps, in the same form as the process driver's (milliseconds, UTC).
    assert.ok(lines.every((l) => l.time !== null && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(l.time) && !/^\d{4}-\d\d-\d\dT/.test(l.text)), JSON.stringify(lines.slice(-3)));

    const out = await runCli(['status', appName], { env: serverEnv(server) });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /SERVICE\s+REPLICAS\s+UPDATE\n\s*web\s+2\/2/);
  });
});
