// A deploy: build once from a commit (or an upload), test, migrate, start, health-gate, cut over.
import type { Deployment } from '../../core/model.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import { PlanBuilder, type Plan } from '../step.js';
import { backupBeforeMigration } from '../steps/backup-step.js';
import { registerRelease } from '../steps/register-release.js';
import { build, releasePhase, stage } from '../steps/release-steps.js';
import { extractUpload, fetchSource, resolveSource, resolveUpload } from '../steps/source-steps.js';
import { testGate } from '../steps/test-step.js';
import { prune, recordRelease, retirePrevious, startRelease, switchTraffic } from '../steps/traffic-steps.js';

export function deployPlan(deps: PipelineDeps, deployment: Deployment): Plan {
  const upload = deployment.params['upload'];
  const sourced =
    typeof upload === 'string'
      ? PlanBuilder.start().then(resolveUpload(deps, upload)).then(extractUpload(deps, upload))
      : PlanBuilder.start().then(resolveSource(deps)).then(fetchSource(deps));
  const traffic = switchTraffic(deps);
  const commitPoint = recordRelease(deps);
  return sourced
    .then(registerRelease(deps))
    .then(build(deps))
    .then(testGate(deps))
    .then(stage(deps))
    .then(backupBeforeMigration(deps))
    .then(releasePhase(deps))
    .then(startRelease(deps))
    .then(traffic)
    .then(commitPoint)
    .then(retirePrevious(deps))
    .then(prune(deps))
    .build({ commitPoint, trafficStep: traffic });
}
