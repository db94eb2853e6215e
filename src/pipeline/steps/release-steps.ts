// Steps that turn a source tree into a runnable release in this environment.
import { driverCall, requireRelease, specOf } from '../driver-context.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import type { Step } from '../step.js';

/** Builds the artifact once and records the release (pending until it goes live). */
export function build(deps: PipelineDeps): Step {
  return {
    name: 'build',
    async run(ctx) {
      const releaseId = String(ctx.state['releaseId']);
      const specText = String(ctx.state['specText']);
      const { driver, dctx } = await driverCall(deps, ctx);
      const existing = await deps.store.getRelease(releaseId);
      if (!existing) {
        await deps.store.createRelease({
          id: releaseId,
          appId: ctx.app.id,
          environmentId: ctx.environment.id,
          deploymentId: ctx.deployment.id,
          commitSha: (ctx.state['commitSha'] as string | null) ?? null,
          commitSubject: (ctx.state['commitSubject'] as string | null) ?? null,
          artifact: null,
          status: 'pending',
          driverState: {},
          spec: { file: 'slipway.yml', text: specText },
          notes: [],
          trigger: ctx.deployment.trigger,
          deployedBy: ctx.deployment.requestedBy,
        });
      }
      await deps.store.updateDeployment(ctx.deployment.id, { releaseId });
      const source = { dir: String(ctx.state['sourceDir']), commitSha: (ctx.state['commitSha'] as string | null) ?? null };
      const built = await driver.build(dctx, { releaseId, source });
      await deps.store.updateRelease(releaseId, { artifact: built.artifact, driverState: built.driverState ?? {} });
      ctx.log.info(`artifact ${built.artifact}`);
      return { artifact: built.artifact };
    },
    async compensate(ctx) {
      const releaseId = ctx.state['releaseId'];
      if (typeof releaseId === 'string' && (await deps.store.getRelease(releaseId))) {
        await deps.store.updateRelease(releaseId, { status: 'failed' });
      }
    },
  };
}

/** Unpacks the artifact into the environment (idempotent; also for rollback and promotion). */
export function stage(deps: PipelineDeps): Step {
  return {
    name: 'stage',
    async run(ctx) {
      const { driver, dctx } = await driverCall(deps, ctx);
      await driver.stage(dctx, await requireRelease(deps, ctx.state['releaseId']));
    },
  };
}

/** The release phase (migrations): once per deploy, under the lock, before any traffic moves. */
export function releasePhase(deps: PipelineDeps): Step {
  return {
    name: 'release-phase',
    async run(ctx) {
      const spec = specOf(ctx);
      if (spec.release.length === 0) {
        ctx.log.info('no release commands in slipway.yml; nothing to run');
        return;
      }
      const { driver, dctx } = await driverCall(deps, ctx);
      await driver.runRelease(dctx, await requireRelease(deps, ctx.state['releaseId']));
    },
  };
}
