// The one place a release is recorded: pending, with its commit, spec and notes (and, for a
// promotion, the artifact it takes over), until `record-release` makes it live.
import { SPEC_FILE } from '../deployment-context.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import type { Step } from '../step.js';

export function registerRelease(deps: PipelineDeps): Step<'releaseId' | 'commitSha' | 'commitSubject' | 'specText' | 'notes' | 'inherited'> {
  return {
    name: 'register-release',
    async run(ctx) {
      const { releaseId, inherited } = ctx.state;
      if (!(await deps.store.getRelease(releaseId))) {
        await deps.store.createRelease({
          id: releaseId,
          appId: ctx.app.id,
          environmentId: ctx.environment.id,
          deploymentId: ctx.deployment.id,
          commitSha: ctx.state.commitSha,
          commitSubject: ctx.state.commitSubject,
          artifact: inherited?.artifact ?? null,
          status: 'pending',
          // A promotion keeps the build's record (e.g. an image reference); `start` adds to it.
          driverState: inherited?.driverState ?? {},
          spec: { file: SPEC_FILE, text: ctx.state.specText },
          notes: ctx.state.notes,
          trigger: ctx.deployment.trigger,
          deployedBy: ctx.deployment.requestedBy,
        });
      }
      await deps.store.updateDeployment(ctx.deployment.id, { releaseId, commitSha: ctx.state.commitSha });
      return {};
    },
    async compensate(ctx) {
      // By deployment, not by plan state: after a crash inside this step its output was never saved.
      for (const r of await deps.store.listReleases(ctx.environment.id, 20)) {
        if (r.deploymentId === ctx.deployment.id && r.status === 'pending') await deps.store.updateRelease(r.id, { status: 'failed' });
      }
    },
  };
}
