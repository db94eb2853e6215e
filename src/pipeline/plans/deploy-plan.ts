// A deploy: build once from a commit (or an upload), migrate, start, health-gate, cut over.
import type { PipelineDeps } from '../pipeline-deps.js';
import type { Plan } from '../step.js';
import { fetchSource, resolveSource } from '../steps/source-steps.js';
import { backupBeforeMigration } from '../steps/backup-step.js';
import { build, releasePhase, stage } from '../steps/release-steps.js';
import { prune, recordRelease, retirePrevious, startRelease, switchTraffic } from '../steps/traffic-steps.js';

export function deployPlan(deps: PipelineDeps): Plan {
  return {
    steps: [
      resolveSource(deps),
      fetchSource(deps),
      build(deps),
      stage(deps),
      backupBeforeMigration(deps),
      releasePhase(deps),
      startRelease(deps),
      switchTraffic(deps),
      recordRelease(deps),
      retirePrevious(deps),
      prune(deps),
    ],
    commitAfter: 'record-release',
  };
}
