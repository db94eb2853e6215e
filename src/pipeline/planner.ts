// Chooses the plan for a deployment, builds its context once, and cleans up after it.
import { rm } from 'node:fs/promises';
import type { App, Deployment, Environment } from '../core/model.js';
import type { Planner } from './deploy-engine.js';
import { DeploymentContext } from './deployment-context.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { deployPlan } from './plans/deploy-plan.js';
import { promotePlan } from './plans/promote-plan.js';
import { rollbackPlan } from './plans/rollback-plan.js';
import type { Plan } from './step.js';

export type PlanFactory = (deps: PipelineDeps, deployment: Deployment) => Plan;

export function createPlanner(deps: PipelineDeps, extraPlans: Partial<Record<Deployment['kind'], PlanFactory>> = {}): Planner {
  const plans: Record<Deployment['kind'], PlanFactory | undefined> = {
    deploy: deployPlan,
    rollback: rollbackPlan,
    promote: promotePlan,
    ...extraPlans,
  };
  return {
    async plan(d) {
      const make = plans[d.kind];
      if (!make) throw new Error(`no plan for deployments of kind "${d.kind}"`);
      return make(deps, d);
    },
    context(d: Deployment, app: App, environment: Environment) {
      return DeploymentContext.create(deps, d, app, environment);
    },
    async finished(d) {
      await rm(deps.workDir(d.id), { recursive: true, force: true });
    },
  };
}
