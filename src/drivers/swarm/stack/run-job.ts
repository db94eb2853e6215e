// Runs a one-off `replicated-job` service (migrations, tests), waits for it to finish, streams its
// logs and exit code into the deployment log, removes it, and throws when it failed.
import { StepFailedError } from '../../../core/errors.js';
import type { DeployLog } from '../../../core/ports/runtime-driver.js';
import type { ServiceSpec } from '../compose/swarm-types.js';
import type { EngineClient } from '../engine/engine-client.js';
import type { EngineRequest } from '../engine/engine-client.js';
import type { SwarmApi, TaskInfo } from '../engine/swarm-api.js';
import { serviceLogs } from './service-logs.js';
import { describeTask } from './task-errors.js';

export interface JobResult {
  exitCode: number | null;
  state: string;
  error: string | null;
  /** The last lines of the job's output (stdout and stderr), for error messages. */
  tail: string[];
}

export interface RunJobOptions {
  timeoutMs: number;
  log: DeployLog;
  registryAuth?: EngineRequest['registryAuth'];
  signal?: AbortSignal;
  pollMs?: number;
  /** What the job is, in log lines and errors (default "release job <service name>"). */
  label?: string;
}

const TAIL_LINES = 10;
const DONE = new Set(['complete', 'failed', 'rejected', 'shutdown', 'orphaned']);

/** A job spec from a service spec: one task, never restarted. */
export function asJob(spec: ServiceSpec, name: string, command?: string[]): ServiceSpec {
  const job = structuredClone(spec);
  job.Name = name;
  job.Mode = { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } };
  job.TaskTemplate.RestartPolicy = { Condition: 'none' };
  delete job.UpdateConfig;
  delete job.RollbackConfig;
  // A job serves nothing: no published ports (they could clash with the running service's).
  job.EndpointSpec = job.EndpointSpec?.Mode ? { Mode: job.EndpointSpec.Mode } : {};
  delete job.TaskTemplate.ContainerSpec.Healthcheck;
  if (command) {
    job.TaskTemplate.ContainerSpec.Command = command;
    delete job.TaskTemplate.ContainerSpec.Args;
  }
  return job;
}

/** Runs the job to its end and reports how it ended; rejects only when it could not be run (timeout, abort). */
export async function runJobToEnd(engine: EngineClient, api: SwarmApi, spec: ServiceSpec, opts: RunJobOptions): Promise<JobResult> {
  const label = opts.label ?? `release job ${spec.Name}`;
  if (opts.signal?.aborted) throw opts.signal.reason as Error;
  const { ID } = await api.createService(spec, opts.registryAuth);
  opts.log.info(`${label}: started`);
  let task: TaskInfo | undefined;
  try {
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
      const tasks = await api.listTasks({ service: [ID] });
      task = tasks.find((t) => DONE.has(t.Status.State));
      if (task) break;
      if (Date.now() > deadline) {
        const why = tasks.map(describeTask).filter(Boolean).join('; ');
        throw new StepFailedError(`${label} did not finish within ${Math.round(opts.timeoutMs / 1000)} s${why ? `: ${why}` : ''}; no service was updated`);
      }
      if (opts.signal?.aborted) throw opts.signal.reason as Error;
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
    }
    const tail: string[] = [];
    for await (const line of serviceLogs(engine, { id: ID, name: spec.Name }, { signal: opts.signal })) {
      if (line.stream === 'stdout' || line.stream === 'stderr') {
        opts.log.output(line.stream, line.text);
        tail.push(line.text);
        if (tail.length > TAIL_LINES) tail.shift();
      } else if (line.stream === 'system') opts.log.error(line.text);
    }
    const exitCode = task.Status.ContainerStatus?.ExitCode ?? null;
    opts.log.info(`${label}: ${task.Status.State}, exit code ${exitCode ?? 'unknown'}`);
    return { exitCode, state: task.Status.State, error: describeTask(task), tail };
  } finally {
    await api.removeService(ID).catch((err: Error) => opts.log.error(`could not remove the finished job service ${spec.Name}: ${err.message}`));
  }
}

/** True when the job's task completed with exit code 0 (or an unknown one). */
export function jobSucceeded(result: JobResult): boolean {
  return result.state === 'complete' && (result.exitCode === null || result.exitCode === 0);
}

/** A release job: throws when it failed, before any service is updated. */
export async function runJob(engine: EngineClient, api: SwarmApi, spec: ServiceSpec, opts: RunJobOptions): Promise<JobResult> {
  const result = await runJobToEnd(engine, api, spec, opts);
  if (!jobSucceeded(result)) {
    const { tail: _tail, ...details } = result;
    throw new StepFailedError(`${opts.label ?? `release job ${spec.Name}`} failed (${result.error ?? result.state}, exit code ${result.exitCode ?? 'unknown'}); no service was updated`, { ...details });
  }
  return result;
}
