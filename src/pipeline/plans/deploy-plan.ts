// A deploy: build once from a commit (or an upload), test, migrate, start, health-gate, cut over.
import type { Deployment } from '../../core/model.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import { PlanBuilder, type Plan } from '../step.js';
import { registerRelease } from '../steps/register-release.js';
import { build } from '../steps/release-steps.js';
import { extractUpload, fetchSource, resolveSource, resolveUpload } from '../steps/source-steps.js';
import { testGate } from '../steps/test-step.js';
import { rollOut } from './roll-out.js';

export function deployPlan(deps: PipelineDeps, deployment: Deployment): Plan {
  const upload = deployment.params['upload'];
  const sourced =
    typeof upload === 'string'
      ? PlanBuilder.start().then(resolveUpload(deps, upload)).then(extractUpload(deps, upload))
      : PlanBuilder.start().then(resolveSource(deps)).then(fetchSource(deps));
  return rollOut(sourced.then(registerRelease(deps)).then(build(deps)).then(testGate(deps)), deps);
}
