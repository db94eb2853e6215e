// Per environment: which artifact each staged release was made from. Prune consults the
// indexes of every environment so an artifact another environment still uses is never deleted.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../../platform/json-file.js';
import type { ProcessLayout } from './layout.js';

export type ArtifactIndex = Record<string, string>;

export async function readArtifactIndex(file: string): Promise<ArtifactIndex> {
  return (await readJsonFile<ArtifactIndex>(file)) ?? {};
}

export async function recordArtifact(file: string, releaseId: string, artifact: string): Promise<void> {
  const index = await readArtifactIndex(file);
  if (index[releaseId] === artifact) return;
  index[releaseId] = artifact;
  await writeJsonAtomic(file, index, 0o644);
}

export async function forgetReleases(file: string, releaseIds: string[]): Promise<void> {
  const index = await readArtifactIndex(file);
  for (const id of releaseIds) delete index[id];
  await writeJsonAtomic(file, index, 0o644);
}

/** Artifacts referenced by any release still indexed in any environment. */
export async function referencedArtifacts(layout: ProcessLayout): Promise<Set<string>> {
  const out = new Set<string>();
  for (const app of await subdirs(layout.appsDir)) {
    for (const env of await subdirs(path.join(layout.appsDir, app))) {
      const index = await readArtifactIndex(path.join(layout.appsDir, app, env, 'artifacts.json'));
      for (const artifact of Object.values(index)) out.add(artifact);
    }
  }
  return out;
}

export async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}
