// Steps that decide what is deployed: the commit, its app spec, and its files.
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseAppSpec } from '../../core/config-file.js';
import { PreconditionError } from '../../core/errors.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import type { Step } from '../step.js';

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
      parseAppSpec(specText, `${SPEC_FILE} at ${commit.sha.slice(0, 7)}`);
      await deps.store.updateDeployment(d.id, { commitSha: commit.sha });
      ctx.log.info(`deploying ${commit.sha.slice(0, 7)} "${commit.subject}"`);
      return {
        ...base,
        commitSha: commit.sha,
        commitSubject: commit.subject,
        specText,
        releaseId: `r${d.number}-${commit.sha.slice(0, 7)}`,
      };
    },
  };
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
        return { sourceDir: dir, specText };
      }
      const sha = ctx.state['commitSha'];
      if (typeof sha !== 'string') throw new PreconditionError('no commit was resolved');
      await deps.source.checkout(ctx.app.repo, sha, dir);
      ctx.log.info(`checked out ${sha.slice(0, 7)}`);
      return { sourceDir: dir };
    },
  };
}
