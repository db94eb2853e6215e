// Steps that decide what is deployed: the commit, its app spec, and its files.
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, PreconditionError } from '../../core/errors.js';
import { requireGreenCommit } from '../ci-gate.js';
import { SPEC_FILE } from '../deployment-context.js';
import { commitsBetween } from '../deployment-notes.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import type { Step, StepContext } from '../step.js';

type Resolved = 'previousReleaseId' | 'commitSha' | 'commitSubject' | 'releaseId' | 'specText' | 'notes' | 'inherited';

/** Resolves the ref to a commit, reads and validates slipway.yml at that commit, names the release. */
export function resolveSource(deps: PipelineDeps): Step<never, Resolved> {
  return {
    name: 'resolve-source',
    async run(ctx) {
      const d = ctx.deployment;
      const live = await deps.store.liveRelease(ctx.environment.id);
      const ref = d.ref ?? ctx.environment.branch ?? 'HEAD';
      ctx.log.info(`resolving ${ref} in ${ctx.app.repo}`);
      const commit = await deps.source.resolve(ctx.app.repo, ref);
      const specText = await deps.source.readFile(ctx.app.repo, commit.sha, SPEC_FILE);
      if (specText === null) {
        throw new PreconditionError(`commit ${commit.sha.slice(0, 7)} has no ${SPEC_FILE}; add one at the repository root`);
      }
      const spec = await ctx.target.loadSpec(specText, `${SPEC_FILE} at ${commit.sha.slice(0, 7)}`);
      if (spec.environments[ctx.environment.name]?.require_ci_status) {
        const green = await requireGreenCommit(deps.store, ctx.app, ctx.environment.name, commit.sha);
        ctx.log.info(`CI gate: ${green.map((s) => `${s.context}: ${s.state}`).join(', ')}`);
      }
      await deps.store.updateDeployment(d.id, { commitSha: commit.sha });
      ctx.log.info(`deploying ${commit.sha.slice(0, 7)} "${commit.subject}"`);
      const notes = await notesSinceLive(deps, ctx, live?.commitSha ?? null, commit.sha);
      return {
        previousReleaseId: live?.id ?? null,
        commitSha: commit.sha,
        commitSubject: commit.subject,
        specText,
        releaseId: `r${d.number}-${commit.sha.slice(0, 7)}`,
        notes,
        inherited: null,
      };
    },
  };
}

/** `Deployment:` notes of the commits between the environment's live commit and `sha`, printed to the log. */
async function notesSinceLive(deps: PipelineDeps, ctx: StepContext, liveSha: string | null, sha: string): Promise<string[]> {
  try {
    const { commits, notes } = await commitsBetween(deps.source, ctx.app.repo, liveSha, sha);
    if (liveSha !== null) ctx.log.info(`${commits.length} commit(s) since the live release (${liveSha.slice(0, 7)})`);
    for (const note of notes) ctx.log.info(`Deployment: ${note}`);
    return notes;
  } catch (err) {
    ctx.log.info(`warning: could not list the commits since ${liveSha?.slice(0, 7) ?? 'the start'}: ${errorMessage(err)}; no deployment notes collected`);
    return [];
  }
}

/** A fresh, empty scratch directory for the deployment's source tree. */
async function scratchSourceDir(deps: PipelineDeps, ctx: StepContext): Promise<string> {
  const dir = path.join(deps.workDir(ctx.deployment.id), 'src');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Writes the commit's tree into the deployment's scratch directory. */
export function fetchSource(deps: PipelineDeps): Step<'commitSha', 'sourceDir'> {
  return {
    name: 'fetch-source',
    async run(ctx) {
      const sha = ctx.state.commitSha;
      if (sha === null) throw new PreconditionError('no commit was resolved');
      const dir = await scratchSourceDir(deps, ctx);
      await deps.source.checkout(ctx.app.repo, sha, dir);
      ctx.log.info(`checked out ${sha.slice(0, 7)}`);
      return { sourceDir: dir };
    },
  };
}

/** An uploaded archive: no commit, the release named after the deployment. */
export function resolveUpload(deps: PipelineDeps, upload: string): Step<never, Exclude<Resolved, 'specText'>> {
  return {
    name: 'resolve-source',
    async run(ctx) {
      const live = await deps.store.liveRelease(ctx.environment.id);
      const version = (await deps.uploadVersion?.(upload)) ?? null;
      ctx.log.info(`source: uploaded archive ${path.basename(upload)}${version ? `, version ${version} (its top directory)` : ''}`);
      return {
        previousReleaseId: live?.id ?? null,
        commitSha: null,
        // An upload has no commit; its version name is what people know the release by.
        commitSubject: version,
        releaseId: `r${ctx.deployment.number}-upload`,
        notes: [],
        inherited: null,
      };
    },
  };
}

/** Extracts the uploaded archive (safely) into the scratch directory; its slipway.yml is the spec. */
export function extractUpload(deps: PipelineDeps, upload: string): Step<never, 'sourceDir' | 'specText'> {
  return {
    name: 'fetch-source',
    async run(ctx) {
      const dir = await scratchSourceDir(deps, ctx);
      await deps.extractUpload(upload, dir);
      const specText = await readFile(path.join(dir, SPEC_FILE), 'utf8').catch(() => null);
      if (specText === null) throw new PreconditionError(`the uploaded archive has no ${SPEC_FILE} at its root`);
      await ctx.target.loadSpec(specText, `${SPEC_FILE} in the upload`);
      return { sourceDir: dir, specText };
    },
  };
}
