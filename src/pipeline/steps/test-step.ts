// The test gate of an environment with `require_tests: true`: right after the build, the spec's
// `test` commands run against what will be deployed (the driver decides where: the checked-out
// tree for processes, inside the built image on Swarm); a failing command stops the deploy
// before anything is staged or started.
import type { PipelineDeps } from '../pipeline-deps.js';
import { requireRelease } from '../release-refs.js';
import type { Step } from '../step.js';

export function testGate(deps: PipelineDeps): Step<'releaseId' | 'specText' | 'sourceDir' | 'commitSha' | 'artifact', 'tested'> {
  return {
    name: 'test',
    async run(ctx) {
      const { driver, dctx } = ctx.target.driverCall(ctx.state, ctx);
      if (!dctx.envSpec.require_tests) {
        ctx.log.info(`${ctx.environment.name} does not require tests (require_tests: false)`);
        return { tested: false };
      }
      const { releaseId, sourceDir, commitSha } = ctx.state;
      // The build's record (e.g. the image a Swarm test job runs) is on the release.
      const built = await requireRelease(deps, releaseId);
      await driver.test(dctx, { releaseId, source: { dir: sourceDir, commitSha }, build: { artifact: built.artifact, driverState: built.driverState } });
      return { tested: true };
    },
  };
}
