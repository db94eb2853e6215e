// Packs a built tree into a content-addressed, reproducible release tarball:
// entries sorted, fixed mtime, no owner names (portable), so the same tree gives the same bytes.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';

const FIXED_MTIME = new Date(Date.UTC(2000, 0, 1));

/** Every path below `dir` (directories too, so empty ones survive), sorted, relative, "/"-separated. */
export async function listTree(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    out.push(rel);
    if (e.isDirectory()) out.push(...(await listTree(dir, rel)));
  }
  return out;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Packs `dir` into `<artifactsDir>/<sha256>.tar.gz` and returns "sha256:<hex>". */
export async function packArtifact(dir: string, artifactsDir: string): Promise<string> {
  await mkdir(artifactsDir, { recursive: true });
  const tmp = path.join(artifactsDir, `.pack-${randomBytes(6).toString('hex')}.tar.gz`);
  try {
    const entries = await listTree(dir);
    await tar.c(
      { gzip: true, portable: true, mtime: FIXED_MTIME, cwd: dir, file: tmp, noDirRecurse: true, follow: false },
      entries.length ? entries : ['.'],
    );
    const hex = await sha256File(tmp);
    const final = path.join(artifactsDir, `${hex}.tar.gz`);
    const existing = await stat(final).catch(() => null);
    if (existing) await rm(tmp, { force: true });
    else await rename(tmp, final);
    return `sha256:${hex}`;
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
