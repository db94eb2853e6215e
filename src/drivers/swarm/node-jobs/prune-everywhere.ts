// Image pruning on every node: the manager's Engine API only reaches the manager's images, so a
// global job runs the prune program (node-prune-program.ts) on each node against its own Engine
// socket, from the Slipway edge image (node and nothing else, already in the registry).
import { randomBytes } from 'node:crypto';
import type { ServiceSpec } from '../compose/swarm-types.js';
import type { EngineClient, EngineRequest } from '../engine/engine-client.js';
import type { SwarmApi } from '../engine/swarm-api.js';
import { EDGE_NODE } from '../edge/edge-image.js';
import { runGlobalJob } from './global-job.js';
import { NODE_PRUNE_PROGRAM } from './node-prune-program.js';

const SOCKET_IN_TASK = '/run/slipway/docker.sock';

export interface PruneEverywhereOptions {
  /** An image with node at /usr/bin/node: the edge image. */
  toolImage: string;
  /** The Engine socket on each node (usually /var/run/docker.sock). */
  nodeSocket: string;
  repository: string;
  keepRefs: string[];
  timeoutMs?: number;
  pollMs?: number;
  registryAuth?: EngineRequest['registryAuth'];
  /** Problems on a node (an Engine error, a task that failed); pruning goes on elsewhere. */
  warn: (line: string) => void;
}

/** Returns what was removed, as "image <ref> on <node>". */
export async function pruneImagesOnEveryNode(engine: EngineClient, api: SwarmApi, o: PruneEverywhereOptions): Promise<string[]> {
  const spec: ServiceSpec = {
    Name: `slipway-prune-${randomBytes(4).toString('hex')}`,
    Labels: { 'com.slipway.job': 'prune-images' },
    Mode: { GlobalJob: {} },
    TaskTemplate: {
      ContainerSpec: {
        Image: o.toolImage,
        Command: [EDGE_NODE, '-e', NODE_PRUNE_PROGRAM],
        Args: [SOCKET_IN_TASK, o.repository, ...o.keepRefs],
        Mounts: [{ Type: 'bind', Source: o.nodeSocket, Target: SOCKET_IN_TASK }],
        Labels: {},
      },
      RestartPolicy: { Condition: 'none' },
    },
  };
  const result = await runGlobalJob(engine, api, spec, {
    timeoutMs: o.timeoutMs ?? 120_000,
    ...(o.pollMs ? { pollMs: o.pollMs } : {}),
    ...(o.registryAuth ? { registryAuth: o.registryAuth } : {}),
  });
  const hostnames = new Map((await api.listNodes()).map((n) => [n.ID, n.Description?.Hostname ?? n.ID]));
  for (const [node, r] of Object.entries(result.nodes)) {
    if (r.state !== 'complete' || (r.exitCode ?? 0) !== 0) o.warn(`pruning images on node ${hostnames.get(node) ?? node} failed: ${r.error ?? r.state}`);
  }
  const removed: string[] = [];
  for (const line of result.lines) {
    if (line.startsWith('removed ')) removed.push(`image ${line.slice('removed '.length)}`);
    else if (!line.startsWith('kept ')) o.warn(`prune: ${line}`);
  }
  return removed;
}
