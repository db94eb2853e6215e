// The source-tree policy (core/source-tree-policy.ts, the one that protects uploads) applied to
// the trees the process driver handles: the checked-out source before it is built, the tree the
// build leaves before it is packed, and the artifact before it is staged. Links are read, never
// followed: a tree whose links leave it (absolute, "../..", through another link) is refused,
// naming the entry, before anything of it reaches a release.
import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { checkEntry, checkLinks, type ArchiveEntry, type ExtractLimits } from '../../core/source-tree-policy.js';
import { listTree } from './pack-artifact.js';

/** Builds (node_modules) hold far more entries than an upload may; the disk is the limit here. */
const NO_LIMITS: ExtractLimits = { maxEntries: Number.POSITIVE_INFINITY, maxBytes: Number.POSITIVE_INFINITY };

/** Checks the tree under `dir`; `name` and `outcome` word the refusal ("the build output", "nothing was deployed"). */
export async function checkTree(dir: string, name: string, outcome: string): Promise<void> {
  const entries: ArchiveEntry[] = [];
  for (const rel of await listTree(dir)) {
    const full = path.join(dir, rel);
    const st = await lstat(full);
    entries.push({ path: rel, type: entryType(st), linkpath: st.isSymbolicLink() ? await readlink(full) : '', size: st.isFile() ? st.size : 0 });
  }
  check(name, entries, outcome);
}

/** Checks the entries of a release artifact (a .tar.gz) before it is unpacked. */
export async function checkArtifact(file: string, name: string, outcome: string): Promise<void> {
  const entries: ArchiveEntry[] = [];
  await tar.t({
    file,
    strict: true,
    onReadEntry: (entry) => {
      entries.push({ path: entry.path, type: entry.type, linkpath: entry.linkpath ?? '', size: entry.size ?? 0 });
    },
  });
  check(name, entries, outcome);
}

function check(name: string, entries: ArchiveEntry[], outcome: string): void {
  const seen = { entries: 0, bytes: 0 };
  for (const e of entries) checkEntry(name, e, seen, NO_LIMITS, outcome);
  checkLinks(name, entries, outcome);
}

function entryType(st: import('node:fs').Stats): string {
  if (st.isSymbolicLink()) return 'SymbolicLink';
  if (st.isDirectory()) return 'Directory';
  if (st.isFile()) return 'File';
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'Socket';
  if (st.isCharacterDevice()) return 'CharacterDevice';
  if (st.isBlockDevice()) return 'BlockDevice';
  return 'Unknown';
}
