// Swarm deploy benchmark: Slipway's deploy of a prebuilt image (2 replicas, start-first, 1 s
// healthcheck interval) against a raw `docker service update` waiting for convergence,
// alternated N times in one run; then Slipway's rollback time. Prints JSON. The whole time a
// load generator sends GETs through the Slipway edge (running as the Swarm service slipway-edge,
// routing to the Slipway stack's tasks): failedRequests counts the ones that failed (target 0).
//   node --import tsx bench/swarm-deploy.ts [rounds]     (needs scripts/swarm-up.sh)
import { runChecked } from '../src/platform/exec.js';
import type { ReleaseRef } from '../src/core/ports/runtime-driver.js';
import { parseDockerHost } from '../src/drivers/swarm/engine/connection.js';
import { EngineClient } from '../src/drivers/swarm/engine/engine-client.js';
import { SwarmApi } from '../src/drivers/swarm/engine/swarm-api.js';
import { applyStack } from '../src/drivers/swarm/stack/apply-stack.js';
import { readStack } from '../src/drivers/swarm/stack/read-stack.js';
import { removeStack } from '../src/drivers/swarm/stack/remove-stack.js';
import { SwarmDriver } from '../src/drivers/swarm/swarm-driver.js';
import { driverContext } from '../test/swarm/driver-context.js';
import { buildTestImage, webFiles } from '../test/support/swarm-images.js';
import { findSwarmEnv } from '../test/support/swarm-env.js';
import { startSwarmEdge } from '../test/support/swarm-edge.js';
import { startLoad } from '../test/support/load-generator.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const COMPOSE = `services:
  web:
    image: \${IMAGE}
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    labels:
      slipway.route.port: "8080"
      slipway.route.health: /health
    networks: [default, edge]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]
      interval: 1s
      timeout: 1s
      retries: 2
    stop_grace_period: 1s
    deploy:
      replicas: 2
      endpoint_mode: dnsrr
      update_config:
        order: start-first
        failure_action: rollback
        monitor: 2s
networks:
  edge:
    external: true
    name: \${EDGE_NETWORK}
`;

const rounds = Number(process.argv[2] ?? 5);
const found = await findSwarmEnv();
if (!found.ok) {
  console.error(`bench:swarm: ${found.reason}`);
  process.exit(1);
}
const env = found.env;
const engine = await EngineClient.connect(parseDockerHost(env.dockerHost));
const api = new SwarmApi(engine);
// Both stacks join the edge network (the raw one through its compose file), so they differ only in who deploys.
const edge = await startSwarmEdge(engine, env.registry);
const driver = new SwarmDriver({ engine, convergenceTimeoutMs: 120_000, pollMs: 100, edge: { control: edge.client, network: edge.network } });
const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-bench-'));
const ctx = driverContext({ app: 'bench', env: 'slw', registry: env.registry, variables: { EDGE_NETWORK: edge.network } });
const rawStack = 'bench-raw';
try {
  const images = [await buildTestImage(engine, env.registry, 'bench', 'v1', webFiles('v1')), await buildTestImage(engine, env.registry, 'bench', 'v2', webFiles('v2'))] as const;
  await removeStack(api, 'bench-slw');
  await removeStack(api, rawStack);
  const ref = (i: number): ReleaseRef => ({
    releaseId: `r${i}`,
    artifact: images[i % 2] as string,
    driverState: { stack: 'bench-slw', image: images[i % 2], imageServices: ['web'], compose: COMPOSE, composeFile: 'docker-compose.yml', configFiles: {} },
  });
  // Both services start on v1 from the same spec.
  const first = await driver.start(ctx, ref(0), null);
  await driver.activate(ctx, { ...ref(0), driverState: first });
  const load = startLoad({ url: `${edge.base}/`, headers: { host: 'slw.bench.localhost' }, concurrency: 4, maxDurationMs: 30 * 60_000 });
  const composePath = path.join(dir, 'docker-compose.yml');
  await writeFile(composePath, COMPOSE);
  await applyStack(api, readStack({ composePath, stack: rawStack, variables: { IMAGE: images[0], EDGE_NETWORK: edge.network } }));
  await runChecked(['docker', 'service', 'update', '--detach=false', '--quiet', `${rawStack}_web`], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', DOCKER_HOST: env.dockerHost }, timeoutMs: 120_000 });

  const slipway: number[] = [];
  const raw: number[] = [];
  let previous: ReleaseRef = { ...ref(0) };
  for (let i = 1; i <= rounds; i++) {
    let t = performance.now();
    const state = await driver.start(ctx, ref(i), previous);
    slipway.push(performance.now() - t);
    previous = { ...ref(i), driverState: state };
    await driver.activate(ctx, previous); // outside the timing: a route put whose targets are already in the pool
    t = performance.now();
    await runChecked(['docker', 'service', 'update', '--detach=false', '--quiet', '--image', images[i % 2] as string, `${rawStack}_web`], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', DOCKER_HOST: env.dockerHost },
      timeoutMs: 120_000,
    });
    raw.push(performance.now() - t);
  }
  // Rollback: bring the release before the last one back from its recorded specs.
  const last = previous;
  const before: ReleaseRef = { ...ref(rounds - 1) };
  let t = performance.now();
  await driver.start(ctx, before, last);
  const rollbackMs = performance.now() - t;
  await driver.activate(ctx, before);
  const traffic = await load.stop();

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const round = (x: number) => Math.round(x);
  console.log(
    JSON.stringify(
      {
        rounds,
        slipwayDeployMs: slipway.map(round),
        rawServiceUpdateMs: raw.map(round),
        medianSlipwayMs: round(median(slipway)),
        medianRawMs: round(median(raw)),
        ratio: Number((median(slipway) / median(raw)).toFixed(3)),
        targetRatio: 1.1,
        rollbackMs: round(rollbackMs),
        failedRequests: traffic.failures,
        targetFailedRequests: 0,
        requestsThroughEdge: traffic.total,
        edgeRequestsPerSecond: traffic.requestsPerSecond,
        failureSamples: traffic.failureSamples.slice(0, 5),
      },
      null,
      2,
    ),
  );
} finally {
  await removeStack(api, 'bench-slw').catch((e: Error) => console.error(`cleanup: ${e.message}`));
  await removeStack(api, rawStack).catch((e: Error) => console.error(`cleanup: ${e.message}`));
  await edge.close().catch((e: Error) => console.error(`cleanup: ${e.message}`));
  await rm(dir, { recursive: true, force: true });
  await driver.close();
}
