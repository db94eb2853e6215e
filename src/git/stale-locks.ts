// Lock files left in a mirror by a git process that was killed (e.g. the control plane crashed
// mid-fetch) would block every later fetch. Locks older than any legitimate git run may be
// (our own timeout bounds it) are removed before fetching.
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** Removes `*.lock` files under `gitDir` (top level and refs/) last modified more than `olderThanMs` ago. */
export async function removeStaleLocks(gitDir: string, olderThanMs: number, now = Date.now()): Promise<string[]> {
  const candidates: string[] = [];
  const top = await readdir(gitDir).catch(() => [] as string[]);
  for (const name of top) if (name.endsWith('.lock')) candidates.push(path.join(gitDir, name));
  const refs = await readdir(path.join(gitDir, 'refs'), { recursive: true }).catch(() => [] as string[]);
  for (const rel of refs) if (rel.endsWith('.lock')) candidates.push(path.join(gitDir, 'refs', rel));
  const removed: string[] = [];
  for (const file of candidates) {
    const st = await stat(file).catch(() => null);
    if (st === null || !st.isFile() || now - st.mtimeMs <= olderThanMs) continue;
    await rm(file, { force: true });
    removed.push(file);
  }
  return removed;
}
