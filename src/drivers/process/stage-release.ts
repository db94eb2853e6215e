// Stage: unpack the release's artifact into `releases/<id>/` (temp dir + rename, so a release dir
// that exists is complete), then link the shared paths. Safe to call again. The artifact's entries
// are checked first (tree-check.ts), so unpacking never writes through a link or outside.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import type { AppSpec } from '../../core/app-spec.js';
import { PreconditionError } from '../../core/errors.js';
import type { ReleaseRef } from '../../core/ports/runtime-driver.js';
import { forgetReleases, recordArtifact } from './artifact-index.js';
import type { ProcessLayout } from './layout.js';
import { sha256File } from './pack-artifact.js';
import { linkShared } from './shared-links.js';
import { checkArtifact } from './tree-check.js';

export interface StageTarget {
  app: string;
  env: string;
  spec: AppSpec;
}

/** Returns true when it unpacked the artifact, false when the release was already staged. */
export async function stageRelease(layout: ProcessLayout, target: StageTarget, release: ReleaseRef): Promise<boolean> {
  const releaseDir = layout.releaseDir(target.app, target.env, release.releaseId);
  const artifactFile = layout.artifactPath(release.artifact);
  await mkdir(layout.releasesDir(target.app, target.env), { recursive: true });
  await recordArtifact(layout.artifactIndex(target.app, target.env), release.releaseId, release.artifact);
  let unpacked = false;
  if (!(await stat(releaseDir).catch(() => null))) {
    try {
      await unpack(artifactFile, release.artifact, releaseDir);
    } catch (err) {
      // Recorded first so that a concurrent prune keeps the artifact; forgotten if staging failed.
      if (!(await stat(releaseDir).catch(() => null))) await forgetReleases(layout.artifactIndex(target.app, target.env), [release.releaseId]);
      throw err;
    }
    unpacked = true;
  }
  await linkShared(target.spec, layout.sharedDir(target.app, target.env), releaseDir);
  return unpacked;
}

async function unpack(artifactFile: string, artifact: string, releaseDir: string): Promise<void> {
  if (!(await stat(artifactFile).catch(() => null))) {
    throw new PreconditionError(`artifact ${artifact} is missing from ${path.dirname(artifactFile)}; rebuild the release (it may have been pruned)`);
  }
  const actual = `sha256:${await sha256File(artifactFile)}`;
  if (actual !== artifact) {
    throw new PreconditionError(`artifact file ${artifactFile} is corrupt (its sha256 is ${actual}); delete it and rebuild the release`);
  }
  await checkArtifact(artifactFile, `artifact ${artifact}`, 'nothing was staged');
  const parent = path.dirname(releaseDir);
  await mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.staging-${path.basename(releaseDir)}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(tmp, { mode: 0o755 });
    await tar.x({ file: artifactFile, cwd: tmp, strict: true, preserveOwner: false });
    await rename(tmp, releaseDir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    // Another stage of the same release won the race: its directory is complete.
    if (['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) return;
    throw err;
  }
}
