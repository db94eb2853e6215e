// The instances a release runs, built as data from the spec: argv, port, health path, grace.
import type { AppSpec } from '../../core/app-spec.js';
import { healthOf } from './start-gate.js';
import type { InstanceSpec } from './supervisor-protocol.js';

export function countHttpInstances(spec: AppSpec): number {
  return Object.values(spec.processes).reduce((n, p) => n + (p.http ? p.instances : 0), 0);
}

/** One entry per instance, process types in spec order; `ports` are consumed by http instances. */
export function planInstances(spec: AppSpec, ports: number[]): InstanceSpec[] {
  const free = [...ports];
  const out: InstanceSpec[] = [];
  for (const [name, p] of Object.entries(spec.processes)) {
    for (let index = 0; index < p.instances; index++) {
      const port = p.http ? free.shift() : undefined;
      if (p.http && port === undefined) throw new Error(`no port left for ${name}.${index}`);
      out.push({
        process: name,
        index,
        argv: [...p.command],
        port: port ?? null,
        healthPath: healthOf(spec, name)?.path ?? null,
        stopGraceMs: p.stop_grace,
      });
    }
  }
  return out;
}
