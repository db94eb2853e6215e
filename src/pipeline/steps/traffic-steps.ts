// Steps that bring the new release up, move traffic to it and retire the old one.
import { EdgeDownError } from '../../core/errors.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import { releaseRef, requireRelease } from '../release-refs.js';
import type { Step } from '../step.js';

type Releases = 'releaseId' | 'previousReleaseId' | 'specText';

/** Starts the new release's instances and waits until every one is healthy (the health gate). */
export function startRelease(deps: PipelineDeps): Step<Releases> {
  return {
    name: 'start',
    async run(ctx) {
      const { driver, dctx } = ctx.target.driverCall(ctx.state, ctx);
      const release = await requireRelease(deps, ctx.state.releaseId);
      const previous = await releaseRef(deps, ctx.state.previousReleaseId);
      const started = await driver.start(dctx, release, previous);
      await deps.store.updateRelease(release.releaseId, { driverState: { ...release.driverState, ...started } });
      return {};
    },
    async compensate(ctx) {
      const release = await releaseRef(deps, ctx.state.releaseId);
      if (!release) return;
      const { driver, dctx } = ctx.target.driverCall(ctx.state, ctx);
      await driver.abandon(dctx, release, await releaseRef(deps, ctx.state.previousReleaseId));
    },
  };
}

/** Points the edge (or the service) at the new release; undone by pointing it back. */
export function switchTraffic(deps: PipelineDeps): Step<Releases> {
  return {
    name: 'switch-traffic',
    async run(ctx) {
      const { driver, dctx } = ctx.target.driverCall(ctx.state, ctx);
      await driver.activate(dctx, await requireRelease(deps, ctx.state.releaseId));
      return {};
    },
    async compensate(ctx) {
      const previous = await releaseRef(deps, ctx.state.previousReleaseId);
      if (!previous) return;
      const { driver, dctx } = ctx.target.driverCall(ctx.state, ctx);
      ctx.log.info(`moving traffic back to ${previous.releaseId}`);
      try {
        await driver.activate(dctx, previous);
      } catch (err) {
        if (!(err instanceof EdgeDownError)) throw err;
        // A down edge serves nothing; once it runs again it is given the live release's route
        // (the previous one) from the store, so there is nothing more to undo here.
        ctx.log.error(`the edge is down, so no traffic reaches ${previous.releaseId} until it runs again; it is then given ${previous.releaseId}'s route again`);
      }
    },
  };
}

/** Records the release as live: the commit point of the deployment. */
export function recordRelease(deps: PipelineDeps): Step<'releaseId'> {
  return {
    name: 'record-release',
    async run(ctx) {
      await deps.store.markLive(ctx.environment.id, ctx.state.releaseId, new Date().toISOString());
      ctx.log.info(`release ${ctx.state.releaseId} is live`);
      return {};
    },
  };
}

/** Drains and stops the previous release's instances. */
export function retirePrevious(deps: PipelineDeps): Step<Releases> {
  return {
    name: 'retire-previous',
    async run(ctx) {
      const previous = await releaseRef(deps, ctx.state.previousReleaseId);
      if (!previous || previous.releaseId === ctx.state.releaseId) return {};
      const { driver, dctx } = ctx.target.driverCall(ctx.state, ctx);
      await driver.retire(dctx, previous);
      return {};
    },
  };
}

/** Keeps `keep_releases` releases (always the live and the previous one) and deletes the rest. */
export function prune(deps: PipelineDeps): Step<'specText', 'pruned'> {
  return {
    name: 'prune',
    async run(ctx) {
      const { driver, dctx } = ctx.target.driverCall(ctx.state, ctx);
      const releases = await deps.store.listReleases(ctx.environment.id, 1000);
      const usable = releases.filter((r) => r.status !== 'failed' && r.status !== 'pending');
      const keepIds = new Set(usable.slice(0, dctx.envSpec.keep_releases).map((r) => r.id));
      for (const r of releases) if (r.status === 'live' || r.status === 'previous') keepIds.add(r.id);
      const keep = releases
        .filter((r) => keepIds.has(r.id))
        .map((r) => ({ releaseId: r.id, artifact: r.artifact ?? '', driverState: r.driverState }));
      // The driver logs what it removes.
      return { pruned: await driver.prune(dctx, keep) };
    },
  };
}
