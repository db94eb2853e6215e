// Runs one deployment's plan: every step persisted before and after it runs, compensation in
// reverse on failure or cancel, and the same walk used to finish a deployment after a crash.
// The outcome says what is true: a compensation that failed is its own outcome, with what failed
// and what is serving as far as the runner knows.
import { errorMessage } from '../core/errors.js';
import type { Deployment, StepRun, TerminalStatus } from '../core/model.js';
import type { StepRuns } from '../core/ports/store/step-runs.js';
import type { DeploymentContext } from './deployment-context.js';
import type { DeploymentLogWriter } from './deployment-log.js';
import type { DeployState } from './deploy-state.js';
import type { AnyStep, Plan, StepContext } from './step.js';

export interface RunOutcome {
  status: TerminalStatus;
  error: string | null;
}

/** What the runner needs of the store: to record step runs. */
export type StepRecorder = Pick<StepRuns, 'startStep' | 'finishStep'>;

interface Completed {
  step: AnyStep;
  run: StepRun;
}

/** Called at every step boundary once its state is persisted (fault injection in crash tests). */
export type BoundaryHook = (phase: 'before' | 'after', step: string) => Promise<void>;

type State = Partial<DeployState>;

export interface RunnerContext {
  deployment: Deployment;
  target: DeploymentContext;
  signal: AbortSignal;
}

export class DeploymentRunner {
  constructor(
    private readonly store: StepRecorder,
    private readonly log: DeploymentLogWriter,
    private readonly ctx: RunnerContext,
    private readonly plan: Plan,
    private readonly onBoundary: BoundaryHook = async () => undefined,
  ) {}

  /** A fresh run from the first step. */
  async run(): Promise<RunOutcome> {
    return this.walk([], {}, 0);
  }

  /**
   * Finishes a deployment whose engine died: before the commit point the completed steps (and the
   * one that was running) are compensated; after it, the remaining steps run to the end.
   */
  async recover(previousRuns: StepRun[]): Promise<RunOutcome> {
    const byName = new Map(this.plan.steps.map((s) => [s.name, s]));
    const state: State = {};
    const completed: Completed[] = [];
    let interrupted: Completed | undefined;
    for (const run of previousRuns) {
      const step = byName.get(run.name);
      if (!step) continue;
      if (run.status === 'succeeded' || run.status === 'skipped') {
        Object.assign(state, run.output);
        completed.push({ step, run });
      } else if (run.status === 'running') {
        interrupted = { step, run };
      }
    }
    const committed = completed.some((c) => c.step === this.plan.commitPoint);
    const nextSeq = previousRuns.reduce((m, r) => Math.max(m, r.seq), 0);
    if (interrupted) {
      await this.store.finishStep(interrupted.run.id, 'failed', {}, 'interrupted: the control plane stopped during this step');
    }
    if (committed) {
      this.log.write('info', `resuming after a control-plane restart: the release is live, finishing the remaining steps`);
      const done = new Set(completed.map((c) => c.step));
      const startAt = this.plan.steps.findIndex((s) => !done.has(s));
      return this.walk(completed, state, nextSeq, startAt < 0 ? this.plan.steps.length : startAt);
    }
    const where = interrupted ? `during step "${interrupted.step.name}"` : 'between steps';
    const reason = `interrupted: the control plane stopped ${where}`;
    this.log.write('error', `${reason}; undoing the completed steps`);
    const toUndo = interrupted ? [...completed, interrupted] : completed;
    return this.undo(toUndo, state, { status: 'failed', error: `${reason}; the deployment was compensated` }, reason);
  }

  private async walk(completed: Completed[], state: State, seq: number, from = 0): Promise<RunOutcome> {
    let committed = completed.some((c) => c.step === this.plan.commitPoint);
    const warnings: string[] = [];
    for (const step of this.plan.steps.slice(from)) {
      if (!committed && this.ctx.signal.aborted) {
        this.log.write('error', 'cancelled: undoing the completed steps');
        return this.undo(completed, state, CANCELLED, 'cancelled by request');
      }
      seq += 1;
      const run = await this.store.startStep(this.ctx.deployment.id, seq, step.name);
      this.log.step = step.name;
      this.log.write('step', `==> ${step.name}`);
      const started = Date.now();
      try {
        await this.log.flush();
        await this.onBoundary('before', step.name);
        const output: State = await step.run(this.stepContext(state, this.ctx.signal));
        Object.assign(state, output);
        await this.log.flush();
        await this.store.finishStep(run.id, 'succeeded', output, null);
        this.log.write('info', `<== ${step.name} done in ${Date.now() - started} ms`);
        completed.push({ step, run: { ...run, status: 'succeeded', output } });
        if (step === this.plan.commitPoint) committed = true;
        await this.log.flush();
        await this.onBoundary('after', step.name);
      } catch (err) {
        const message = this.log.clean(errorMessage(err));
        this.log.write('error', `step "${step.name}" failed: ${message}`);
        await this.log.flush();
        await this.store.finishStep(run.id, 'failed', {}, message);
        if (committed) {
          // The release already serves; a housekeeping failure is reported, not rolled back.
          warnings.push(`${step.name}: ${message}`);
          continue;
        }
        const cancelled = this.ctx.signal.aborted;
        const trafficMoved = this.plan.trafficStep !== null && completed.some((c) => c.step === this.plan.trafficStep);
        // The failed step may have done part of its work: it is undone too (compensations are
        // idempotent and tolerate a run that stopped halfway).
        const failed = { step, run: { ...run, status: 'failed' as const, error: message } };
        const ifUndone: RunOutcome = cancelled
          ? CANCELLED
          : { status: trafficMoved ? 'rolled_back' : 'failed', error: `${step.name}: ${message}` };
        return this.undo([...completed, failed], state, ifUndone, cancelled ? 'cancelled by request' : `${step.name}: ${message}`);
      }
    }
    this.log.step = null;
    if (warnings.length) this.log.write('error', `finished with warnings: ${warnings.join('; ')}`);
    return { status: 'succeeded', error: null };
  }

  /** Compensates `completed` in reverse; the outcome is `ifUndone` unless an undo failed. */
  private async undo(completed: Completed[], state: State, ifUndone: RunOutcome, cause: string): Promise<RunOutcome> {
    const failures = await this.compensate(completed, state);
    if (failures.length === 0) return ifUndone;
    const serving = this.servingAfter(completed, failures, state);
    const error = `${cause}; undoing it failed (${failures.map((f) => `${f.step.name}: ${f.message}`).join('; ')}); ${serving}`;
    this.log.write('error', `the deployment could not be undone: ${serving}`);
    return { status: 'compensation_failed', error };
  }

  /** What serves after a partial undo, from what the plan knows: which steps ran and which undos failed. */
  private servingAfter(completed: Completed[], failures: { step: AnyStep }[], state: State): string {
    const fresh = state.releaseId ?? 'the new release';
    const previous = state.previousReleaseId ?? null;
    const traffic = this.plan.trafficStep;
    const trafficTouched = traffic !== null && completed.some((c) => c.step === traffic);
    if (trafficTouched && failures.some((f) => f.step === traffic)) {
      return `traffic may still go to ${fresh} instead of ${previous ?? 'the previous release'}; check it with \`slipway status\` and roll back or deploy again`;
    }
    const others = `parts of ${fresh} may still be running; check \`slipway status\` and deploy again`;
    if (previous === null) return `no release served before this deployment; ${others}`;
    return `${previous} ${trafficTouched ? 'serves again' : 'still serves'}, but ${others}`;
  }

  private async compensate(completed: Completed[], state: State): Promise<{ step: AnyStep; message: string }[]> {
    const failures: { step: AnyStep; message: string }[] = [];
    for (const { step, run } of [...completed].reverse()) {
      if (!step.compensate) continue;
      this.log.step = step.name;
      this.log.write('step', `<-- undo ${step.name}`);
      await this.store.finishStep(run.id, 'compensating', run.output, run.error);
      try {
        // Compensation must not be cut short by the cancel that triggered it.
        await step.compensate(this.stepContext(state, new AbortController().signal));
        await this.log.flush();
        await this.store.finishStep(run.id, 'compensated', run.output, run.error);
      } catch (err) {
        const message = this.log.clean(errorMessage(err));
        this.log.write('error', `undo of "${step.name}" failed: ${message}`);
        await this.log.flush();
        await this.store.finishStep(run.id, 'compensation_failed', run.output, message);
        failures.push({ step, message });
      }
    }
    this.log.step = null;
    return failures;
  }

  private stepContext(state: State, signal: AbortSignal): StepContext<keyof DeployState> {
    const { deployment, target } = this.ctx;
    // The plan builder checked that every step's needs were given by the steps before it.
    return { deployment, app: target.app, environment: target.environment, target, state: state as DeployState, log: this.log.forSteps(), signal };
  }
}

const CANCELLED: RunOutcome = { status: 'cancelled', error: 'cancelled by request' };
