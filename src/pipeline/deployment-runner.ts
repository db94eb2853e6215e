// Runs one deployment's plan: every step persisted before and after it runs, compensation in
// reverse on failure or cancel, and the same walk used to finish a deployment after a crash.
import { errorMessage } from '../core/errors.js';
import type { Deployment, StepRun, TerminalStatus } from '../core/model.js';
import type { Store } from '../core/ports/store.js';
import type { DeploymentLogWriter } from './deployment-log.js';
import type { Plan, PlanState, Step, StepContext } from './step.js';

export interface RunOutcome {
  status: TerminalStatus;
  error: string | null;
}

interface Completed {
  step: Step;
  run: StepRun;
}

/** Called at every step boundary once its state is persisted (fault injection in crash tests). */
export type BoundaryHook = (phase: 'before' | 'after', step: string) => Promise<void>;

export class DeploymentRunner {
  constructor(
    private readonly store: Store,
    private readonly log: DeploymentLogWriter,
    private readonly ctx: Omit<StepContext, 'state' | 'log'>,
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
    const state: PlanState = {};
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
    const committed = completed.some((c) => c.step.name === this.plan.commitAfter);
    const nextSeq = previousRuns.reduce((m, r) => Math.max(m, r.seq), 0);
    if (interrupted) {
      await this.store.finishStep(interrupted.run.id, 'failed', {}, 'interrupted: the control plane stopped during this step');
    }
    if (committed) {
      this.info(`resuming after a control-plane restart: the release is live, finishing the remaining steps`);
      const done = new Set(completed.map((c) => c.step.name));
      const startAt = this.plan.steps.findIndex((s) => !done.has(s.name));
      return this.walk(completed, state, nextSeq, startAt < 0 ? this.plan.steps.length : startAt);
    }
    const where = interrupted ? `during step "${interrupted.step.name}"` : 'between steps';
    const reason = `interrupted: the control plane stopped ${where}; the deployment was compensated`;
    this.log.write('error', reason);
    const toUndo = interrupted ? [...completed, interrupted] : completed;
    await this.compensate(toUndo, state, nextSeq);
    return { status: 'failed', error: reason };
  }

  private async walk(completed: Completed[], state: PlanState, seq: number, from = 0): Promise<RunOutcome> {
    let committed = completed.some((c) => c.step.name === this.plan.commitAfter);
    const warnings: string[] = [];
    for (const step of this.plan.steps.slice(from)) {
      if (!committed && this.ctx.signal.aborted) {
        this.log.write('error', 'cancelled: undoing the completed steps');
        await this.compensate(completed, state, seq);
        return { status: 'cancelled', error: 'cancelled by request' };
      }
      seq += 1;
      const run = await this.store.startStep(this.ctx.deployment.id, seq, step.name);
      this.log.step = step.name;
      this.log.write('step', `==> ${step.name}`);
      const started = Date.now();
      try {
        await this.log.flush();
        await this.onBoundary('before', step.name);
        const output = (await step.run({ ...this.ctx, state, log: this.log.forSteps() })) ?? {};
        Object.assign(state, output);
        await this.log.flush();
        await this.store.finishStep(run.id, 'succeeded', output, null);
        this.log.write('info', `<== ${step.name} done in ${Date.now() - started} ms`);
        completed.push({ step, run: { ...run, status: 'succeeded', output } });
        if (step.name === this.plan.commitAfter) committed = true;
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
        // The failed step may have done part of its work: it is undone too (compensations are
        // idempotent and tolerate a run that stopped halfway).
        const failed = { step, run: { ...run, status: 'failed' as const, error: message } };
        await this.compensate([...completed, failed], state, seq);
        if (cancelled) return { status: 'cancelled', error: 'cancelled by request' };
        const trafficMoved = completed.some((c) => c.step.name === 'switch-traffic');
        return { status: trafficMoved ? 'rolled_back' : 'failed', error: `${step.name}: ${message}` };
      }
    }
    this.log.step = null;
    if (warnings.length) this.log.write('error', `finished with warnings: ${warnings.join('; ')}`);
    return { status: 'succeeded', error: null };
  }

  private async compensate(completed: Completed[], state: PlanState, _seq: number): Promise<void> {
    for (const { step, run } of [...completed].reverse()) {
      if (!step.compensate) continue;
      this.log.step = step.name;
      this.log.write('step', `<-- undo ${step.name}`);
      await this.store.finishStep(run.id, 'compensating', run.output, run.error);
      try {
        // Compensation must not be cut short by the cancel that triggered it.
        await step.compensate({ ...this.ctx, signal: new AbortController().signal, state, log: this.log.forSteps() });
        await this.log.flush();
        await this.store.finishStep(run.id, 'compensated', run.output, run.error);
      } catch (err) {
        const message = this.log.clean(errorMessage(err));
        this.log.write('error', `undo of "${step.name}" failed: ${message}`);
        await this.log.flush();
        await this.store.finishStep(run.id, 'compensation_failed', run.output, message);
      }
    }
    this.log.step = null;
  }

  private info(text: string): void {
    this.log.write('info', text);
  }
}

export type { Deployment };
