// Prune: delete an environment's release and run dirs that are neither kept, nor `current`, nor
// running, then the artifacts of those releases that no release of any environment still uses.
import { rm } from 'node:fs/promises';
import type { ReleaseRef } from '../../core/ports/runtime-driver.js';
import { forgetReleases, readArtifactIndex, referencedArtifacts, subdirs } from './artifact-index.js';
import { readCurrent } from './current-link.js';
import type { ProcessLayout } from './layout.js';
import { liveSupervisor } from './supervisor-control.js';

export interface PruneOutcome {
  removed: string[];
  /** Releases left in place because their supervisor is still running. */
  skippedRunning: string[];
}

export async function pruneEnvironment(layout: ProcessLayout, app: string, env: string, keep: ReleaseRef[]): Promise<PruneOutcome> {
  const current = await readCurrent(layout.currentLink(app, env));
  const kept = new Set(keep.map((r) => r.releaseId));
  if (current) kept.add(current);
  const indexFile = layout.artifactIndex(app, env);
  const index = await readArtifactIndex(indexFile);
  const outcome: PruneOutcome = { removed: [], skippedRunning: [] };
  const pruned: string[] = [];
  const ids = new Set([...(await subdirs(layout.releasesDir(app, env))), ...(await subdirs(layout.runRoot(app, env)))]);
  for (const id of [...ids].sort()) {
    if (id.startsWith('.') || kept.has(id)) continue;
    const runDir = layout.runDir(app, env, id);
    if ((await liveSupervisor(runDir)) !== null) {
      outcome.skippedRunning.push(id);
      continue;
    }
    await rm(layout.releaseDir(app, env, id), { recursive: true, force: true });
    await rm(runDir, { recursive: true, force: true });
    pruned.push(id);
    outcome.removed.push(`release ${id}`);
  }
  if (pruned.length === 0) return outcome;
  await forgetReleases(indexFile, pruned);
  const inUse = await referencedArtifacts(layout);
  for (const r of keep) inUse.add(r.artifact);
  const candidates = new Set(pruned.map((id) => index[id]).filter((a): a is string => a !== undefined));
  for (const artifact of [...candidates].sort()) {
    if (inUse.has(artifact)) continue;
    await rm(layout.artifactPath(artifact), { force: true });
    outcome.removed.push(`artifact ${artifact}`);
  }
  return outcome;
}
