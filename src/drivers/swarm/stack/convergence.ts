// Waits until a service has converged: its update completed (UpdateStatus) and as many
// up-to-date tasks are running as it should have. `paused`, `rollback_*` or the timeout
// make it fail with the tasks' errors (a rollback to the very spec the caller wants does not).
import { StepFailedError } from '../../../core/errors.js';
import { sleep } from '../../../platform/clock.js';
import type { NodeInfo, ServiceInfo, SwarmApi, TaskInfo } from '../engine/swarm-api.js';
import { taskErrors } from './task-errors.js';

export interface ConvergenceOptions {
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** How long a new service's tasks must stay running to count (default 1500 ms). */
  stableMs?: number;
  /**
   * The caller left the service's spec as it was (it already is the wanted one): an earlier
   * update that Swarm rolled back to this very spec is no failure of this rollout.
   */
  specUnchanged?: boolean;
}

export type ConvergenceFailure = 'paused' | 'rolled_back' | 'timeout';

export class ConvergenceError extends StepFailedError {
  constructor(
    readonly service: string,
    readonly reason: ConvergenceFailure,
    readonly errors: string[],
    message: string,
  ) {
    super(message, { service, reason, errors });
  }
}

/** Replicas a service should run: replicated count, or one per eligible active node for global. */
export function desiredReplicas(svc: ServiceInfo, nodes: NodeInfo[]): number {
  const mode = svc.Spec.Mode as Record<string, { Replicas?: number } | undefined>;
  if (mode['Replicated']) return mode['Replicated'].Replicas ?? 1;
  if (mode['Global']) return nodes.filter((n) => n.Status.State === 'ready' && (n.Spec.Availability ?? 'active') === 'active').length;
  return 0;
}

function upToDate(task: TaskInfo, svc: ServiceInfo): boolean {
  return task.Spec.ContainerSpec?.Image === svc.Spec.TaskTemplate.ContainerSpec.Image && JSON.stringify(task.Spec['ContainerSpec']) === JSON.stringify(svc.Spec.TaskTemplate.ContainerSpec);
}

export async function waitForConvergence(api: SwarmApi, serviceId: string, opts: ConvergenceOptions): Promise<ServiceInfo> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastNote = '';
  let stableSince: number | null = null;
  let stableIds = '';
  const note = (s: string) => {
    if (s !== lastNote) opts.log?.(s);
    lastNote = s;
  };
  for (;;) {
    const svc = await api.inspectService(serviceId);
    const name = svc.Spec.Name;
    const state = svc.UpdateStatus?.State;
    const tasks = await api.listTasks({ service: [serviceId] });
    const settled = state === undefined || state === 'completed' || (state === 'rollback_completed' && opts.specUnchanged === true);
    if (!settled && (state === 'paused' || state === 'rollback_paused' || state === 'rollback_completed')) {
      const errors = taskErrors(tasks);
      const reason: ConvergenceFailure = state === 'paused' ? 'paused' : 'rolled_back';
      const what = state === 'paused' ? 'the update was paused' : state === 'rollback_completed' ? 'Swarm rolled the update back' : 'the rollback was paused';
      throw new ConvergenceError(name, reason, errors, `service ${name}: ${what}: ${svc.UpdateStatus?.Message ?? ''}${errors.length ? `; task errors: ${errors.join('; ')}` : ''}`);
    }
    if (state === 'rollback_started') note(`${name}: Swarm is rolling back (${svc.UpdateStatus?.Message ?? ''})`);
    if (settled) {
      const nodes = await api.listNodes();
      const want = desiredReplicas(svc, nodes);
      const active = new Set(nodes.filter((n) => n.Status.State === 'ready' && (n.Spec.Availability ?? 'active') === 'active').map((n) => n.ID));
      const running = tasks.filter((t) => t.DesiredState === 'running' && t.Status.State === 'running' && (!t.NodeID || active.has(t.NodeID)) && upToDate(t, svc));
      const ok = running.length >= want && tasks.filter((t) => t.DesiredState === 'running').length <= Math.max(want, running.length);
      // A finished update already proved its tasks through the monitor window; a new service's
      // tasks must stay up (same tasks, still running) for stableMs, or a crash looks like success.
      const ids = running.map((t) => t.ID).sort().join(',');
      if (ok && (state !== undefined || (stableSince !== null && stableIds === ids && Date.now() - stableSince >= (opts.stableMs ?? 1500)))) return svc;
      if (ok && stableIds !== ids) {
        stableSince = Date.now();
        stableIds = ids;
      } else if (!ok) {
        stableSince = null;
        stableIds = '';
      }
      note(`${name}: ${running.length}/${want} tasks running`);
    } else if (state !== 'rollback_started') {
      note(`${name}: ${state}${svc.UpdateStatus?.Message ? ` (${svc.UpdateStatus.Message})` : ''}`);
    }
    if (Date.now() > deadline) {
      const errors = taskErrors(tasks);
      throw new ConvergenceError(name, 'timeout', errors, `service ${name} did not converge within ${Math.round(opts.timeoutMs / 1000)} s${errors.length ? `; task errors: ${errors.join('; ')}` : ''}`);
    }
    await sleep(opts.pollMs ?? 250, opts.signal);
  }
}
