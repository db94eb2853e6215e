// Runs a `global-job` service (one task on every ready, active node), waits until every node's
// task finished, collects its output per node, and removes the service. For work that has to
// happen on each node's own Engine (image pruning), which the manager's API cannot reach.
import { StepFailedError } from '../../../core/errors.js';
import type { ServiceSpec } from '../compose/swarm-types.js';
import type { EngineClient, EngineRequest } from '../engine/engine-client.js';
import type { SwarmApi } from '../engine/swarm-api.js';
import { serviceLogs } from '../stack/service-logs.js';
import { describeTask } from '../stack/task-errors.js';

const DONE = new Set(['complete', 'failed', 'rejected', 'shutdown', 'orphaned']);

export interface GlobalJobResult {
  /** Node id -> the task's final state and exit code. */
  nodes: Record<string, { state: string; exitCode: number | null; error: string | null }>;
  lines: string[];
}

export async function runGlobalJob(
  engine: EngineClient,
  api: SwarmApi,
  spec: ServiceSpec,
  opts: { timeoutMs: number; pollMs?: number; registryAuth?: EngineRequest['registryAuth']; signal?: AbortSignal },
): Promise<GlobalJobResult> {
  const job: ServiceSpec = { ...spec, Mode: { GlobalJob: {} }, TaskTemplate: { ...spec.TaskTemplate, RestartPolicy: { Condition: 'none' } } };
  const { ID } = await api.createService(job, opts.registryAuth);
  try {
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
      const nodes = (await api.listNodes()).filter((n) => n.Status?.State === 'ready' && n.Spec?.Availability === 'active');
      const tasks = await api.listTasks({ service: [ID] });
      const finished = tasks.filter((t) => DONE.has(t.Status.State));
      if (tasks.length >= nodes.length && finished.length === tasks.length && tasks.length > 0) {
        const result: GlobalJobResult = { nodes: {}, lines: [] };
        for (const t of tasks) {
          result.nodes[t.NodeID ?? t.ID] = { state: t.Status.State, exitCode: t.Status.ContainerStatus?.ExitCode ?? null, error: describeTask(t) };
        }
        for await (const line of serviceLogs(engine, { id: ID, name: spec.Name }, opts.signal ? { signal: opts.signal } : {})) result.lines.push(line.text);
        return result;
      }
      if (Date.now() > deadline) {
        const why = tasks.map(describeTask).filter(Boolean).join('; ');
        throw new StepFailedError(`job ${spec.Name} did not finish on every node within ${Math.round(opts.timeoutMs / 1000)} s${why ? `: ${why}` : ''}`);
      }
      opts.signal?.throwIfAborted();
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
    }
  } finally {
    await api.removeService(ID).catch(() => undefined);
  }
}
