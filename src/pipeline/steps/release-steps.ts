// Steps that turn a source tree into a runnable release in this environment.
import { errorMessage } from '../../core/errors.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import { requireRelease } from '../release-refs.js';
import type { Step } from '../step.js';

/** Builds the artifact once and records it on the (pending) release. */
export function build(deps: PipelineDeps): Step<'releaseId' | 'specText' | 'sourceDir' | 'commitSha', 'artifact'> {
  return {
    name: 'build',
    async run(ctx) {
      const { releaseId, sourceDir, commitSha } = ctx.state;
      const { driver, dctx } = ctx.target.driverCall(ctx.state, ctx);
      const built = await driver.build(dctx, { releaseId, source: { dir: sourceDir, commitSha } });
      await deps.store.updateRelease(releaseId, { artifact: built.artifact, driverState: built.driverState ?? {} });
      ctx.log.info(`artifact ${built.artifact}`);
      return { artifact: built.artifact };
    },
  };
}

/** Unpacks the artifact into the environment (idempotent; also for rollback and promotion). */
export function stage(deps: PipelineDeps): Step<'releaseId' | 'specText'> {
  return {
    name: 'stage',
    async run(ctx) {
      const { driver, dctx } = ctx.target.driverCall(ctx.state, ctx);
      await driver.stage(dctx, await requireRelease(deps, ctx.state.releaseId));
      return {};
    },
  };
}

/** The release phase (migrations): once per deploy, under the lock, before any traffic moves. */
export function releasePhase(deps: PipelineDeps): Step<'releaseId' | 'specText'> {
  return {
    name: 'release-phase',
    async run(ctx) {
      const { driver, dctx } = ctx.target.driverCall(ctx.state, ctx);
      if (dctx.spec.release.length === 0) {
        ctx.log.info('no release commands in slipway.yml; nothing to run');
        return {};
      }
      await driver.runRelease(dctx, await requireRelease(deps, ctx.state.releaseId));
      return {};
    },
  };
}

/**
 * The spec's after_deploy commands, once the new release serves (after the commit point). A failure
 * is reported in the deployment log and never undoes the deploy: the release is live and healthy.
 */
export function afterDeploy(deps: PipelineDeps): Step<'releaseId' | 'specText'> {
  return {
    name: 'after-deploy',
    async run(ctx) {
      const { driver, dctx } = ctx.target.driverCall(ctx.state, ctx);
      if (dctx.spec.after_deploy.length === 0) return {};
      if (!driver.runAfterDeploy) {
        ctx.log.error(`the ${dctx.spec.driver} driver runs no after_deploy commands; none ran (release ${ctx.state.releaseId} is live)`);
        return {};
      }
      try {
        await driver.runAfterDeploy(dctx, await requireRelease(deps, ctx.state.releaseId));
        ctx.log.info('after_deploy commands done');
      } catch (err) {
        ctx.log.error(`after_deploy failed: ${ctx.target.redact(errorMessage(err))}; the deploy stands (release ${ctx.state.releaseId} is live and healthy)`);
      }
      return {};
    },
  };
}
