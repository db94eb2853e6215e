// The Slipway edge as a Swarm service for tests: a fresh single-file bundle of src/edge/main.ts
// (esbuild, like scripts/bundle.mjs, into a temp dir so the test never runs a stale dist/),
// the service on a free host port with a temp data dir, and the control plane's EdgeClient.
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { EngineClient } from '../../src/drivers/swarm/engine/engine-client.js';
import { SwarmApi } from '../../src/drivers/swarm/engine/swarm-api.js';
import { ensureEdgeService, removeEdgeService, type EdgeServiceOptions, type EdgeServiceResult } from '../../src/drivers/swarm/edge/edge-service.js';
import { EdgeClient } from '../../src/edge/admin/edge-client.js';
import { projectRoot } from './entry.js';

export interface SwarmEdge {
  port: number;
  /** Host port of its HTTPS listener. */
  httpsPort: number;
  /** This test's edge service and overlay network (unique per run: test files run in parallel). */
  serviceName: string;
  network: string;
  dataDir: string;
  bundlePath: string;
  client: EdgeClient;
  result: EdgeServiceResult;
  options: EdgeServiceOptions;
  base: string;
  close(): Promise<void>;
}

export async function bundleEdge(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'edge.mjs');
  await build({
    absWorkingDir: projectRoot,
    entryPoints: [path.join(projectRoot, 'src/edge/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    banner: { js: "import { createRequire as __slipwayRequire } from 'node:module'; const require = __slipwayRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}

export async function freeHostPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export async function startSwarmEdge(engine: EngineClient, registry: string, log?: (line: string) => void): Promise<SwarmEdge> {
  // Short: the admin socket path must stay under 108 bytes.
  const dataDir = await mkdtemp('/tmp/swedge-');
  const bundleDir = await mkdtemp(path.join(os.tmpdir(), 'swedge-bundle-'));
  const bundlePath = await bundleEdge(bundleDir);
  const port = await freeHostPort();
  const httpsPort = await freeHostPort();
  const client = EdgeClient.forDataDir(dataDir, { putTimeoutMs: 120_000, requestTimeoutMs: 5_000 });
  const serviceName = `swedge-${process.pid}-${(Date.now() % 1_000_000).toString(36)}`;
  const network = serviceName;
  const options: EdgeServiceOptions = { registry, publishedPort: port, publishedHttpsPort: httpsPort, dataDir, bundlePath, control: client, log, stopGracePeriodMs: 10_000, logLevel: 'warn', serviceName, network };
  const result = await ensureEdgeService(engine, options);
  return {
    port,
    httpsPort,
    serviceName,
    network,
    dataDir,
    bundlePath,
    client,
    result,
    options,
    base: `http://127.0.0.1:${port}`,
    async close() {
      await client.close();
      await removeEdgeService(engine, serviceName).catch(() => false);
      // The network is in use until the edge's task (and any routed service's) is gone.
      const api = new SwarmApi(engine);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const net = (await api.listNetworks({ name: [network] })).find((n) => n.Name === network);
        if (!net) break;
        const removed = await api.removeNetwork(net.Id).then(() => true, () => false);
        if (removed || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      await rm(dataDir, { recursive: true, force: true });
      await rm(bundleDir, { recursive: true, force: true });
    },
  };
}
