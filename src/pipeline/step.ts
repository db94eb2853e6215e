// A plan is a list of steps; a step records its output so a restarted engine can pick up from it.
import type { App, Deployment, Environment } from '../core/model.js';
import type { DeployLog } from '../core/ports/runtime-driver.js';

/** Outputs of completed steps, merged in order. JSON only: it is persisted with each step run. */
export type PlanState = Record<string, unknown>;

export interface StepContext {
  deployment: Deployment;
  app: App;
  environment: Environment;
  state: PlanState;
  log: DeployLog;
  signal: AbortSignal;
}

export interface Step {
  readonly name: string;
  /** Does the work; returns what later steps (and a recovery) need to know. */
  run(ctx: StepContext): Promise<PlanState | void>;
  /** Undoes `run`. Must be idempotent and must tolerate a `run` that stopped halfway. */
  compensate?(ctx: StepContext): Promise<void>;
}

export interface Plan {
  steps: Step[];
  /**
   * The step after which the deployment is committed: once it has succeeded, a failure or a crash
   * finishes the remaining steps instead of compensating (the new release is already serving).
   */
  commitAfter: string;
}
