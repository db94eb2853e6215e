// A promotion: the artifact that runs in FROM (same tarball hash or image digest, same commit and
// spec) becomes a new release of TO. No build; the release phase (migrations) runs in TO.
import { PreconditionError } from '../../core/errors.js';
import { commitsBetween } from '../deployment-notes.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import { promotableRelease } from '../promotion-source.js';
import { PlanBuilder, type Plan, type Step } from '../step.js';
import { registerRelease } from '../steps/register-release.js';
import { rollOut } from './roll-out.js';

type Selected = 'releaseId' | 'previousReleaseId' | 'commitSha' | 'commitSubject' | 'specText' | 'artifact' | 'sourceReleaseId' | 'notes' | 'inherited';

function selectArtifact(deps: PipelineDeps): Step<never, Selected> {
  return {
    name: 'select-artifact',
    async run(ctx) {
      const d = ctx.deployment;
      const from = typeof d.params['from'] === 'string' ? d.params['from'] : d.ref;
      if (!from) throw new PreconditionError('the promotion names no source environment');
      const source = await promotableRelease(deps.store, ctx.app, from, ctx.environment.name);
      const pinned = d.params['fromRelease'];
      if (typeof pinned === 'string' && pinned !== source.id) {
        throw new PreconditionError(`${ctx.app.name}/${from} now runs ${source.id}, not ${pinned} as when the promotion was asked for; promote again`);
      }
      const artifact = source.artifact;
      if (!artifact) throw new PreconditionError(`release ${source.id} has no artifact to promote`);
      const specText = typeof source.spec['text'] === 'string' ? source.spec['text'] : null;
      if (!specText) throw new PreconditionError(`release ${source.id} has no recorded app spec`);
      const live = await deps.store.liveRelease(ctx.environment.id);
      let notes: string[] = [];
      if (source.commitSha) {
        try {
          const between = await commitsBetween(deps.source, ctx.app.repo, live?.commitSha ?? null, source.commitSha);
          ctx.log.info(`${ctx.environment.name} receives ${between.commits.length} commit(s)`);
          for (const c of between.commits) ctx.log.info(`  ${c.sha.slice(0, 7)} ${c.subject}`);
          notes = between.notes;
        } catch (err) {
          ctx.log.info(`warning: could not list the commits being promoted: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      for (const note of notes) ctx.log.info(`Deployment: ${note}`);
      const releaseId = `r${d.number}-${source.commitSha ? source.commitSha.slice(0, 7) : 'promoted'}`;
      ctx.log.info(`promoting ${source.id} (${source.artifact}) from ${from} to ${ctx.environment.name} as ${releaseId}`);
      return {
        releaseId,
        previousReleaseId: live?.id ?? null,
        commitSha: source.commitSha,
        commitSubject: source.commitSubject,
        specText,
        artifact,
        sourceReleaseId: source.id,
        notes,
        // The artifact and the build's record (e.g. an image reference) go to TO unchanged.
        inherited: { artifact, driverState: source.driverState },
      };
    },
  };
}

export function promotePlan(deps: PipelineDeps): Plan {
  return rollOut(PlanBuilder.start().then(selectArtifact(deps)).then(registerRelease(deps)), deps);
}
