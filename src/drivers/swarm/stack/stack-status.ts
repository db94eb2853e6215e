// What runs in a stack: per service running/desired replicas, and its tasks with node,
// state and error (for `slipway status`).
import type { InstanceStatus } from '../../../core/ports/runtime-driver.js';
import { LABEL_NAMESPACE } from '../compose/namespace.js';
import type { SwarmApi, TaskInfo } from '../engine/swarm-api.js';
import { desiredReplicas } from './convergence.js';
import { describeTask } from './task-errors.js';

export interface TaskStatus {
  id: string;
  slot: number | null;
  node: string | null;
  state: string;
  desiredState: string;
  image: string | null;
  error: string | null;
  updatedAt: string;
}

export interface ServiceStatus {
  name: string;
  /** The compose service name (without the stack prefix). */
  service: string;
  id: string;
  image: string;
  running: number;
  desired: number;
  updateState: string | null;
  updateMessage: string | null;
  tasks: TaskStatus[];
}

export async function stackStatus(api: SwarmApi, stack: string, opts: { recentTasks?: number } = {}): Promise<ServiceStatus[]> {
  const services = await api.listServices({ label: [`${LABEL_NAMESPACE}=${stack}`] });
  const nodes = await api.listNodes();
  const hostname = new Map(nodes.map((n) => [n.ID, n.Description?.Hostname ?? n.ID]));
  const out: ServiceStatus[] = [];
  for (const svc of services.sort((a, b) => a.Spec.Name.localeCompare(b.Spec.Name))) {
    const tasks = (await api.listTasks({ service: [svc.ID] })).sort((a, b) => b.UpdatedAt.localeCompare(a.UpdatedAt));
    const current = tasks.filter((t) => t.DesiredState === 'running' || t.DesiredState === 'complete');
    const shown = [...current, ...tasks.filter((t) => !current.includes(t)).slice(0, opts.recentTasks ?? 5)];
    out.push({
      name: svc.Spec.Name,
      service: svc.Spec.Name.startsWith(`${stack}_`) ? svc.Spec.Name.slice(stack.length + 1) : svc.Spec.Name,
      id: svc.ID,
      image: svc.Spec.TaskTemplate.ContainerSpec.Image,
      running: tasks.filter((t) => t.DesiredState === 'running' && t.Status.State === 'running').length,
      desired: desiredReplicas(svc, nodes),
      updateState: svc.UpdateStatus?.State ?? null,
      updateMessage: svc.UpdateStatus?.Message ?? null,
      tasks: shown.map((t) => toTaskStatus(t, hostname)),
    });
  }
  return out;
}

function toTaskStatus(t: TaskInfo, hostname: Map<string, string>): TaskStatus {
  return {
    id: t.ID,
    slot: t.Slot ?? null,
    node: t.NodeID ? (hostname.get(t.NodeID) ?? t.NodeID) : null,
    state: t.Status.State,
    desiredState: t.DesiredState,
    image: t.Spec.ContainerSpec?.Image ?? null,
    error: describeTask(t),
    updatedAt: t.UpdatedAt,
  };
}

/** The port's instance list: one entry per task that should run or just failed. */
export function toInstances(services: ServiceStatus[]): InstanceStatus[] {
  const map = (s: string): InstanceStatus['state'] =>
    s === 'running' ? 'running' : s === 'failed' || s === 'rejected' || s === 'orphaned' ? 'failed' : s === 'shutdown' || s === 'complete' ? 'stopped' : 'starting';
  return services.flatMap((svc) =>
    svc.tasks.map((t) => {
      const inst: InstanceStatus = { process: svc.service, instance: t.id, state: map(t.state) };
      if (t.node) inst.node = t.node;
      if (t.error) inst.error = t.error;
      return inst;
    }),
  );
}
