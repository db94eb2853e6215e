// Shared paths (spec `shared.dirs`/`shared.files`) live in `<env>/shared/` and are symlinked into
// each release at the same relative path, replacing whatever the release had there.
import { lstat, mkdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppSpec } from '../../core/app-spec.js';
import { InvalidInputError } from '../../core/errors.js';

export async function linkShared(spec: AppSpec, sharedDir: string, releaseDir: string): Promise<void> {
  for (const rel of spec.shared.dirs) {
    const target = inside(sharedDir, rel);
    await mkdir(target, { recursive: true });
    await linkInto(releaseDir, rel, target);
  }
  for (const rel of spec.shared.files) {
    const target = inside(sharedDir, rel);
    await mkdir(path.dirname(target), { recursive: true });
    // Created empty on first use; 0600 because shared files are often .env or credentials.
    await writeFile(target, '', { flag: 'a', mode: 0o600 });
    await linkInto(releaseDir, rel, target);
  }
}

async function linkInto(releaseDir: string, rel: string, target: string): Promise<void> {
  const link = inside(releaseDir, rel);
  const existing = await lstat(link).catch(() => null);
  if (existing?.isSymbolicLink() && (await readlink(link)) === target) return;
  if (existing) await rm(link, { recursive: true, force: true });
  await mkdir(path.dirname(link), { recursive: true });
  await symlink(target, link);
}

function inside(root: string, rel: string): string {
  const full = path.resolve(root, rel);
  if (full === root || !full.startsWith(root + path.sep)) {
    throw new InvalidInputError(`shared path ${JSON.stringify(rel)} must be a relative path inside the release`);
  }
  return full;
}
