// A plan is a list of steps; a step records its output so a restarted engine can pick up from it.
// Steps are typed by the state they read (`Needs`) and write (`Gives`): `planOf(...)` only accepts
// a step whose needs were given by the steps before it, so a misordered plan does not compile.
import type { App, Deployment, Environment } from '../core/model.js';
import type { DeployLog } from '../core/ports/runtime-driver.js';
import type { DeploymentContext } from './deployment-context.js';
import type { DeployState, StateKey } from './deploy-state.js';

export interface StepContext<Needs extends StateKey = never> {
  deployment: Deployment;
  app: App;
  environment: Environment;
  /** The deployment's context: its spec parsed once, secrets resolved once, the driver. */
  target: DeploymentContext;
  state: Pick<DeployState, Needs>;
  log: DeployLog;
  signal: AbortSignal;
}

/** During an undo, what the step gives may be missing: its run may have stopped halfway. */
export interface CompensationContext<Needs extends StateKey, Gives extends StateKey> extends Omit<StepContext<Needs>, 'state'> {
  state: Pick<DeployState, Needs> & Partial<Pick<DeployState, Gives>>;
}

export interface Step<Needs extends StateKey = never, Gives extends StateKey = never> {
  readonly name: string;
  /** Does the work; returns what later steps (and a recovery) need to know. Properties, not
   *  methods, so that the state a step needs is checked contravariantly. */
  readonly run: (ctx: StepContext<Needs>) => Promise<Pick<DeployState, Gives>>;
  /** Undoes `run`. Must be idempotent and must tolerate a `run` that stopped halfway. */
  readonly compensate?: (ctx: CompensationContext<Needs, Gives>) => Promise<void>;
}

/** A step of any needs, as the runner sees it (the plan builder checked the needs already). */
export type AnyStep = Step<any, any>;

export interface Plan {
  readonly steps: readonly AnyStep[];
  /**
   * The point of no return: once this step has succeeded, a failure or a crash finishes the
   * remaining steps instead of compensating (the new release is already serving).
   */
  readonly commitPoint: AnyStep;
  /** The step that moves users' traffic: once it ran, a failure is a rollback, not a plain failure. */
  readonly trafficStep: AnyStep | null;
}

/** Builds a plan step by step; `then` accepts only a step whose needs are among `Have`. */
export class PlanBuilder<Have extends StateKey> {
  /** Never set: makes a builder's `Have` exact, so one that gives less is not taken for one that gives more. */
  declare private readonly have: (given: Have) => Have;

  private constructor(private readonly steps: readonly AnyStep[]) {}

  static start(): PlanBuilder<never> {
    return new PlanBuilder([]);
  }

  then<Gives extends StateKey>(step: Step<Have, Gives>): PlanBuilder<Have | Gives> {
    return new PlanBuilder<Have | Gives>([...this.steps, step as AnyStep]);
  }

  build(marks: { commitPoint: Step<Have, StateKey> | AnyStep; trafficStep: AnyStep | null }): Plan {
    const steps = this.steps;
    for (const [name, mark] of Object.entries(marks)) {
      if (mark !== null && !steps.includes(mark as AnyStep)) throw new Error(`the plan's ${name} is not one of its steps`);
    }
    const names = new Set<string>();
    for (const s of steps) {
      if (names.has(s.name)) throw new Error(`the plan has two steps named "${s.name}"`);
      names.add(s.name);
    }
    return { steps, commitPoint: marks.commitPoint as AnyStep, trafficStep: marks.trafficStep };
  }
}
