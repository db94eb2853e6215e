// Shared paths (spec `shared.dirs`/`shared.files`) live in `<env>/shared/` and are symlinked into
// each release at the same relative path, replacing whatever the release had there. No link is
// ever followed on the way: every directory above a shared path, in the shared dir and in the
// release, must be a real directory (made when missing), and a shared path in the shared dir must
// be a real directory or file. A link there (from the repository, or planted by the app in its
// shared dir) is refused, so linking never touches anything outside the release and the shared dir.
import { constants } from 'node:fs';
import { lstat, mkdir, open, readlink, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { AppSpec } from '../../core/app-spec.js';
import { InvalidInputError, PreconditionError } from '../../core/errors.js';

export async function linkShared(spec: AppSpec, sharedDir: string, releaseDir: string): Promise<void> {
  await realDir(sharedDir, 'the shared dir', true);
  for (const rel of spec.shared.dirs) {
    const segments = relativeSegments(rel);
    const target = await parentsOf(sharedDir, segments, rel, 'in the shared dir');
    await realDir(target, `shared dir ${JSON.stringify(rel)}`, false);
    await linkInto(releaseDir, segments, rel, target);
  }
  for (const rel of spec.shared.files) {
    const segments = relativeSegments(rel);
    const target = await parentsOf(sharedDir, segments, rel, 'in the shared dir');
    await realFile(target, rel);
    await linkInto(releaseDir, segments, rel, target);
  }
}

/** Replaces whatever the release has at `rel` (a file, a dir, a link: never followed) with a link to `target`. */
async function linkInto(releaseDir: string, segments: string[], rel: string, target: string): Promise<void> {
  const link = await parentsOf(releaseDir, segments, rel, 'in the release');
  const existing = await lstat(link).catch(() => null);
  if (existing?.isSymbolicLink() && (await readlink(link)) === target) return;
  if (existing) await rm(link, { recursive: true, force: true });
  await symlink(target, link);
}

/**
 * Walks `root/<segments but the last>`, making missing directories and refusing a link or a
 * non-directory on the way; returns the full path of the last segment (not looked at).
 */
async function parentsOf(root: string, segments: string[], rel: string, where: string): Promise<string> {
  let cur = root;
  for (const seg of segments.slice(0, -1)) {
    cur = path.join(cur, seg);
    const st = await lstat(cur).catch(() => null);
    if (st === null) {
      await mkdir(cur);
      continue;
    }
    if (st.isSymbolicLink() || !st.isDirectory()) {
      throw new PreconditionError(
        `shared path ${JSON.stringify(rel)}: ${JSON.stringify(path.relative(root, cur))} ${where} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}; ` +
          'Slipway never links shared paths through a link (it could lead outside the release): make it a real directory',
        { path: cur },
      );
    }
  }
  return path.join(cur, segments[segments.length - 1] as string);
}

async function realDir(dir: string, what: string, recursive: boolean): Promise<void> {
  const st = await lstat(dir).catch(() => null);
  if (st === null) {
    await mkdir(dir, { recursive });
    return;
  }
  if (st.isSymbolicLink() || !st.isDirectory()) {
    throw new PreconditionError(`${what} ${dir} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}; Slipway never follows links there: make it a real directory`, { path: dir });
  }
}

/** Created empty on first use (0600: shared files are often .env or credentials), never through a link. */
async function realFile(file: string, rel: string): Promise<void> {
  const st = await lstat(file).catch(() => null);
  if (st === null) {
    // O_EXCL: fails rather than follow a link that appeared meanwhile.
    const handle = await open(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, 0o600).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return null;
      throw err;
    });
    if (handle) return handle.close();
    return realFile(file, rel);
  }
  if (st.isSymbolicLink() || !st.isFile()) {
    throw new PreconditionError(
      `shared file ${JSON.stringify(rel)}: ${file} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; Slipway never follows links in the shared dir: make it a real file`,
      { path: file },
    );
  }
}

function relativeSegments(rel: string): string[] {
  const segments = rel.split('/').filter((s) => s !== '' && s !== '.');
  if (path.isAbsolute(rel) || segments.length === 0 || segments.includes('..') || rel.includes('\0')) {
    throw new InvalidInputError(`shared path ${JSON.stringify(rel)} must be a relative path inside the release`);
  }
  return segments;
}
