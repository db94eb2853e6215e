// The Slipway edge as a Swarm service `slipway-edge`: one replica on a manager, its port
// published in host mode (no routing mesh needed), attached to the attachable overlay network
// `slipway-edge` that routed app services join, its data dir bind-mounted from the host so the
// control plane drives it over its admin socket (<dataDir>/edge/admin.sock) like the local edge.
// Idempotent: the spec's hash is a label, an unchanged edge is neither rebuilt nor updated.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { StepFailedError } from '../../../core/errors.js';
import type { EdgeControl } from '../../../core/ports/edge-control.js';
import type { ServiceSpec } from '../compose/swarm-types.js';
import type { EngineClient } from '../engine/engine-client.js';
import type { RegistryAuth } from '../engine/images.js';
import { SwarmApi } from '../engine/swarm-api.js';
import { waitForConvergence } from '../stack/convergence.js';
import { edgeContentHash, edgeImageFiles, ensureEdgeImage } from './edge-image.js';
import { ensureEdgeNetwork, EDGE_NETWORK } from './edge-network.js';

export const EDGE_SERVICE = 'slipway-edge';
export const EDGE_LABEL = 'com.slipway.edge';
const SPEC_LABEL = 'com.slipway.edge.spec';
/** The port the edge listens on inside its container. */
export const EDGE_CONTAINER_PORT = 8080;

export interface EdgeServiceOptions {
  /** Registry the edge image is pushed to ("127.0.0.1:5000"). */
  registry: string;
  registryAuth?: RegistryAuth | null;
  /** Host port the edge answers on (published in host mode on the manager). */
  publishedPort: number;
  /** Host port of its HTTPS listener (published in host mode); absent: the Swarm edge serves no HTTPS. */
  publishedHttpsPort?: number;
  /** Host directory mounted as the edge's data dir; its admin socket is <dataDir>/edge/admin.sock. */
  dataDir: string;
  /** dist/bundle/edge.mjs (built by scripts/bundle.mjs). */
  bundlePath: string;
  /** Default: the node binary running Slipway. */
  nodeBinary?: string;
  logLevel?: string;
  /** Peers whose forwarding headers the edge passes on (SLIPWAY_EDGE_TRUSTED_PROXIES). */
  trustedProxies?: readonly string[];
  /** Time the edge gets to drain in-flight requests when stopped (default 30 s). */
  stopGracePeriodMs?: number;
  convergenceTimeoutMs?: number;
  /** Answers once the edge's admin API is up (the control plane's EdgeClient on the socket). */
  control?: EdgeControl;
  log?: (line: string) => void;
  signal?: AbortSignal;
  /**
   * Placement constraints (default ["node.role==manager"]). The control plane reaches the admin
   * socket through the bind-mounted data dir, so it must run on the node the edge runs on: with
   * several managers pin it, e.g. ["node.hostname==cp-1"].
   */
  constraints?: string[];
  /** Service name (default "slipway-edge"; tests run their own). */
  serviceName?: string;
  /** Overlay network shared with routed services (default "slipway-edge"). */
  network?: string;
}

export interface EdgeServiceResult {
  action: 'created' | 'updated' | 'unchanged';
  serviceId: string;
  networkId: string;
  image: string;
}

export function edgeServiceSpec(opts: EdgeServiceOptions, image: string, networkId: string): ServiceSpec {
  const graceNs = (opts.stopGracePeriodMs ?? 30_000) * 1_000_000;
  return {
    Name: opts.serviceName ?? EDGE_SERVICE,
    Labels: { [EDGE_LABEL]: 'true' },
    TaskTemplate: {
      ContainerSpec: {
        Image: image,
        Labels: { [EDGE_LABEL]: 'true' },
        Env: [
          `LOG_LEVEL=${opts.logLevel ?? 'info'}`,
          'SLIPWAY_DATA_DIR=/data',
          'SLIPWAY_EDGE_HOST=0.0.0.0',
          `SLIPWAY_EDGE_PORT=${EDGE_CONTAINER_PORT}`,
          // The same port inside as published: the edge's redirects to https name the port clients use.
          `SLIPWAY_EDGE_HTTPS_PORT=${opts.publishedHttpsPort ?? 'off'}`,
          ...(opts.trustedProxies?.length ? [`SLIPWAY_EDGE_TRUSTED_PROXIES=${opts.trustedProxies.join(',')}`] : []),
        ],
        Mounts: [{ Type: 'bind', Source: opts.dataDir, Target: '/data' }],
        StopSignal: 'SIGTERM',
        StopGracePeriod: graceNs,
      },
      RestartPolicy: { Condition: 'any', Delay: 1_000_000_000 },
      Placement: { Constraints: opts.constraints ?? ['node.role==manager'] },
      Networks: [{ Target: networkId }],
    },
    Mode: { Replicated: { Replicas: 1 } },
    // A host port cannot be bound twice on one node: the old edge stops (draining its in-flight
    // requests) before the new one starts.
    UpdateConfig: { Parallelism: 1, Order: 'stop-first', FailureAction: 'rollback', Monitor: 5_000_000_000 },
    RollbackConfig: { Parallelism: 1, Order: 'stop-first', FailureAction: 'pause' },
    EndpointSpec: {
      Mode: 'dnsrr',
      Ports: [
        { Protocol: 'tcp', TargetPort: EDGE_CONTAINER_PORT, PublishedPort: opts.publishedPort, PublishMode: 'host' },
        ...(opts.publishedHttpsPort === undefined ? [] : [{ Protocol: 'tcp' as const, TargetPort: opts.publishedHttpsPort, PublishedPort: opts.publishedHttpsPort, PublishMode: 'host' as const }]),
      ],
    },
  };
}

function specHash(spec: ServiceSpec, contentHash: string): string {
  const { Image: _image, ...container } = spec.TaskTemplate.ContainerSpec;
  return createHash('sha256').update(contentHash).update(JSON.stringify({ ...spec, TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: container, Networks: [] } })).digest('hex').slice(0, 24);
}

/** Creates or updates the edge service; resolves once it converged and (with `control`) its admin API answers. */
export async function ensureEdgeService(engine: EngineClient, opts: EdgeServiceOptions): Promise<EdgeServiceResult> {
  const api = new SwarmApi(engine);
  const log = opts.log ?? (() => undefined);
  const nodeBinary = opts.nodeBinary ?? process.execPath;
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const name = opts.serviceName ?? EDGE_SERVICE;
  const networkId = await ensureEdgeNetwork(api, log, opts.network ?? EDGE_NETWORK);
  const contentHash = await edgeContentHash(await edgeImageFiles({ nodeBinary, bundlePath: opts.bundlePath }));
  const wanted = specHash(edgeServiceSpec(opts, '', networkId), contentHash);
  const existing = (await api.listServices({ name: [name] })).find((s) => s.Spec.Name === name);
  if (existing && existing.Spec.Labels[SPEC_LABEL] === wanted) {
    log(`${name}: unchanged`);
    await waitUntilServing(api, existing.ID, opts);
    return { action: 'unchanged', serviceId: existing.ID, networkId, image: existing.Spec.TaskTemplate.ContainerSpec.Image };
  }
  const { image } = await ensureEdgeImage(engine, { nodeBinary, bundlePath: opts.bundlePath, registry: opts.registry, registryAuth: opts.registryAuth, log, signal: opts.signal });
  const spec = edgeServiceSpec(opts, image, networkId);
  spec.Labels[SPEC_LABEL] = wanted;
  const auth = opts.registryAuth ? { username: opts.registryAuth.username, password: opts.registryAuth.password.reveal(), serveraddress: opts.registryAuth.serveraddress } : undefined;
  let serviceId: string;
  if (existing) {
    log(`${name}: updating to ${image}`);
    await api.updateService(existing.ID, existing.Version.Index, spec, auth);
    serviceId = existing.ID;
  } else {
    log(`${name}: creating (${image}, host port ${opts.publishedPort})`);
    serviceId = (await api.createService(spec, auth)).ID;
  }
  await waitUntilServing(api, serviceId, opts);
  return { action: existing ? 'updated' : 'created', serviceId, networkId, image };
}

async function waitUntilServing(api: SwarmApi, serviceId: string, opts: EdgeServiceOptions): Promise<void> {
  const timeoutMs = opts.convergenceTimeoutMs ?? 120_000;
  await waitForConvergence(api, serviceId, { timeoutMs, signal: opts.signal, log: opts.log, stableMs: 500 });
  if (!opts.control) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await opts.control.listRoutes();
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new StepFailedError(`${opts.serviceName ?? EDGE_SERVICE} runs but its admin API does not answer on its socket under ${opts.dataDir}/edge (${(err as Error).message}); see \`docker service logs ${opts.serviceName ?? EDGE_SERVICE}\``, { dataDir: opts.dataDir });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Removes the edge service (the network stays: app services may still be attached). */
export async function removeEdgeService(engine: EngineClient, name = EDGE_SERVICE): Promise<boolean> {
  const api = new SwarmApi(engine);
  const existing = (await api.listServices({ name: [name] })).find((s) => s.Spec.Name === name);
  if (!existing) return false;
  await api.removeService(existing.ID);
  return true;
}

export { EDGE_NETWORK };
