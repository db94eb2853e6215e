// Steps that decide what is deployed: the commit, its app spec, and its files.
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseAppSpec } from '../../core/config-file.js';
import { errorMessage, PreconditionError } from '../../core/errors.js';
import { requireGreenCommit } from '../ci-gate.js';
import { commitsBetween } from '../deployment-notes.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import { runTestGate } from '../test-gate.js';
import type { Step, StepContext } from '../step.js';

export const SPEC_FILE = 'slipway.yml';

/** Resolves the ref to a commit, reads and validates slipway.yml at that commit, names the release. */
export function resolveSource(deps: PipelineDeps): Step {
  return {
    name: 'resolve-source',
    async run(ctx) {
      const d = ctx.deployment;
      const live = await deps.store.liveRelease(ctx.environment.id);
      const base = { previousReleaseId: live?.id ?? null };
      const upload = typeof d.params['upload'] === 'string' ? d.params['upload'] : null;
      if (upload) {
        ctx.log.info(`source: uploaded archive ${path.basename(upload)}`);
        return { ...base, commitSha: null, commitSubject: null, releaseId: `r${d.number}-upload` };
      }
      const ref = d.ref ?? ctx.environment.branch ?? 'HEAD';
      ctx.log.info(`resolving ${ref} in ${ctx.app.repo}`);
      const commit = await deps.source.resolve(ctx.app.repo, ref);
      const specText = await deps.source.readFile(ctx.app.repo, commit.sha, SPEC_FILE);
      if (specText === null) {
        throw new PreconditionError(`commit ${commit.sha.slice(0, 7)} has no ${SPEC_FILE}; add one at the repository root`);
      }
      const spec = parseAppSpec(specText, `${SPEC_FILE} at ${commit.sha.slice(0, 7)}`);
      if (spec.environments[ctx.environment.name]?.require_ci_status) {
        const green = await requireGreenCommit(deps.store, ctx.app, ctx.environment.name, commit.sha);
        ctx.log.info(`CI gate: ${green.map((s) => `${s.context}: ${s.state}`).join(', ')}`);
      }
      await deps.store.updateDeployment(d.id, { commitSha: commit.sha });
      ctx.log.info(`deploying ${commit.sha.slice(0, 7)} "${commit.subject}"`);
      const notes = await notesSinceLive(deps, ctx, live?.commitSha ?? null, commit.sha);
      const releaseId = `r${d.number}-${commit.sha.slice(0, 7)}`;
      // Recorded now (pending) so that the release carries its notes; build fills in the artifact.
      if (!(await deps.store.getRelease(releaseId))) {
        await deps.store.createRelease({
          id: releaseId,
          appId: ctx.app.id,
          environmentId: ctx.environment.id,
          deploymentId: d.id,
          commitSha: commit.sha,
          commitSubject: commit.subject,
          artifact: null,
          status: 'pending',
          driverState: {},
          spec: { file: SPEC_FILE, text: specText },
          notes,
          trigger: d.trigger,
          deployedBy: d.requestedBy,
        });
      }
      return { ...base, commitSha: commit.sha, commitSubject: commit.subject, specText, releaseId, notes };
    },
    async compensate(ctx) {
      // By deployment, not by plan state: after a crash inside this step its output was never saved.
      for (const r of await deps.store.listReleases(ctx.environment.id, 20)) {
        if (r.deploymentId === ctx.deployment.id && r.status === 'pending') await deps.store.updateRelease(r.id, { status: 'failed' });
      }
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

/** Writes the source tree into the deployment's scratch directory. */
export function fetchSource(deps: PipelineDeps): Step {
  return {
    name: 'fetch-source',
    async run(ctx) {
      const dir = path.join(deps.workDir(ctx.deployment.id), 'src');
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const upload = ctx.deployment.params['upload'];
      if (typeof upload === 'string') {
        await deps.extractUpload(upload, dir);
        const specText = await readFile(path.join(dir, SPEC_FILE), 'utf8').catch(() => null);
        if (specText === null) throw new PreconditionError(`the uploaded archive has no ${SPEC_FILE} at its root`);
        parseAppSpec(specText, `${SPEC_FILE} in the upload`);
        const tested = await runTestGate(deps, { ...ctx, state: { ...ctx.state, specText } }, dir);
        return { sourceDir: dir, specText, tested };
      }
      const sha = ctx.state['commitSha'];
      if (typeof sha !== 'string') throw new PreconditionError('no commit was resolved');
      await deps.source.checkout(ctx.app.repo, sha, dir);
      ctx.log.info(`checked out ${sha.slice(0, 7)}`);
      // The test gate (require_tests: true) runs here, on the checked-out tree, before any build.
      const tested = await runTestGate(deps, ctx, dir);
      return { sourceDir: dir, tested };
    },
  };
}
