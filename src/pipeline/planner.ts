// Chooses the plan for a deployment and cleans up after it.
import { rm } from 'node:fs/promises';
import { Redactor } from '../core/redactor.js';
import type { Deployment } from '../core/model.js';
import type { Planner } from './deploy-engine.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { deployPlan } from './plans/deploy-plan.js';
import { promotePlan } from './plans/promote-plan.js';
import { rollbackPlan } from './plans/rollback-plan.js';
import type { Plan } from './step.js';

export function createPlanner(deps: PipelineDeps, extraPlans: Partial<Record<Deployment['kind'], (d: PipelineDeps) => Plan>> = {}): Planner {
  const plans: Record<Deployment['kind'], ((d: PipelineDeps) => Plan) | undefined> = {
    deploy: deployPlan,
    rollback: rollbackPlan,
    promote: promotePlan,
    ...extraPlans,
  };
  return {
    async plan(d) {
      const make = plans[d.kind];
      if (!make) throw new Error(`no plan for deployments of kind "${d.kind}"`);
      return make(deps);
    },
    async redactorFor(d) {
      const secrets = await deps.secrets(d.appId, d.environmentId);
      const redactor = new Redactor(Object.values(secrets).map((s) => s.reveal()));
      return (text) => redactor.redact(text);
    },
    async finished(d) {
      await rm(deps.workDir(d.id), { recursive: true, force: true });
    },
  };
}
