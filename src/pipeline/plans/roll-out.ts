// The part every plan that brings a new release shares: from a registered (and, for a deploy,
// built and tested) release to live: certificates, stage, back up, migrate, start, cut over, commit,
// after_deploy, retire, prune.
import type { StateKey } from '../deploy-state.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import type { Plan, PlanBuilder } from '../step.js';
import { backupBeforeMigration } from '../steps/backup-step.js';
import { certificates } from '../steps/certificate-step.js';
import { afterDeploy, releasePhase, stage } from '../steps/release-steps.js';
import { prune, recordRelease, retirePrevious, startRelease, switchTraffic } from '../steps/traffic-steps.js';

/** What the roll-out reads: the steps before it must have given these. */
export type RollOutNeeds = 'releaseId' | 'previousReleaseId' | 'specText';

export function rollOut<Have extends StateKey>(before: PlanBuilder<Have | RollOutNeeds>, deps: PipelineDeps): Plan {
  const traffic = switchTraffic(deps);
  const commitPoint = recordRelease(deps);
  return before
    .then(certificates(deps))
    .then(stage(deps))
    .then(backupBeforeMigration(deps))
    .then(releasePhase(deps))
    .then(startRelease(deps))
    .then(traffic)
    .then(commitPoint)
    .then(afterDeploy(deps))
    .then(retirePrevious(deps))
    .then(prune(deps))
    .build({ commitPoint, trafficStep: traffic });
}
