// A rollback: bring an earlier release of the environment back through the same health gate.
// No build and no release phase: the artifact is reused as it was.
import { NotFoundError, PreconditionError } from '../../core/errors.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import { PlanBuilder, type Plan, type Step } from '../step.js';
import { certificates } from '../steps/certificate-step.js';
import { stage } from '../steps/release-steps.js';
import { rollbackBackupNotice } from '../steps/rollback-backup-notice.js';
import { recordRelease, retirePrevious, startRelease, switchTraffic } from '../steps/traffic-steps.js';

function selectRelease(deps: PipelineDeps): Step<never, 'releaseId' | 'previousReleaseId' | 'commitSha' | 'specText' | 'artifact'> {
  return {
    name: 'select-release',
    async run(ctx) {
      const live = await deps.store.liveRelease(ctx.environment.id);
      const wanted = typeof ctx.deployment.params['to'] === 'string' ? ctx.deployment.params['to'] : null;
      const releases = await deps.store.listReleases(ctx.environment.id, 1000);
      const target = wanted
        ? releases.find((r) => r.id === wanted)
        : releases.find((r) => r.status === 'previous') ?? releases.find((r) => r.status === 'retired');
      if (!target) {
        if (wanted) throw new NotFoundError(`release of ${ctx.app.name}/${ctx.environment.name}`, wanted);
        throw new PreconditionError(`${ctx.app.name}/${ctx.environment.name} has no earlier release to roll back to`);
      }
      if (target.id === live?.id) throw new PreconditionError(`release ${target.id} is already live`);
      if (!target.artifact || target.status === 'failed' || target.status === 'pending') {
        throw new PreconditionError(`release ${target.id} never went live (${target.status}); pick another with --to`);
      }
      const specText = typeof target.spec['text'] === 'string' ? target.spec['text'] : null;
      if (!specText) throw new PreconditionError(`release ${target.id} has no recorded app spec`);
      await deps.store.updateDeployment(ctx.deployment.id, { releaseId: target.id, commitSha: target.commitSha });
      ctx.log.info(`rolling back from ${live?.id ?? '(none)'} to ${target.id} (${target.commitSha?.slice(0, 7) ?? 'upload'})`);
      return {
        releaseId: target.id,
        previousReleaseId: live?.id ?? null,
        commitSha: target.commitSha,
        specText,
        artifact: target.artifact,
      };
    },
  };
}

export function rollbackPlan(deps: PipelineDeps): Plan {
  const traffic = switchTraffic(deps);
  const commitPoint = recordRelease(deps);
  return PlanBuilder.start()
    .then(selectRelease(deps))
    .then(rollbackBackupNotice(deps))
    .then(certificates(deps))
    .then(stage(deps))
    .then(startRelease(deps))
    .then(traffic)
    .then(commitPoint)
    .then(retirePrevious(deps))
    .build({ commitPoint, trafficStep: traffic });
}
