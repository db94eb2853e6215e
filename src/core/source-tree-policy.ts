// What a source tree may contain, as pure checks over its entries: an uploaded archive
// (sources/safe-extract.ts), and for the process driver the git checkout it builds, the tree
// its build leaves and the artifact it stages (drivers/process/tree-check.ts). Every refusal names
// the entry and says why. Entry paths are relative, "/"-separated, without ".." segments; links
// stay inside the tree and never pass through another symlink; no devices, FIFOs or unknown types.
// So nothing Slipway writes into a release, and no link it follows there, ends up outside it.
import { InvalidInputError } from './errors.js';

export interface ArchiveEntry {
  path: string;
  type: string;
  linkpath: string;
  size: number;
}

export interface ExtractLimits {
  maxEntries: number;
  maxBytes: number;
}

export const DEFAULT_LIMITS: ExtractLimits = { maxEntries: 20_000, maxBytes: 1024 * 1024 * 1024 };

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const ALLOWED_TYPES = new Set([...FILE_TYPES, 'Directory', 'SymbolicLink', 'Link']);

/** What happens to the whole tree when an entry is refused, for the message ("nothing was extracted"). */
export const NOTHING_EXTRACTED = 'nothing was extracted';

function refuse(archive: string, entry: string, why: string, outcome: string = NOTHING_EXTRACTED): InvalidInputError {
  return new InvalidInputError(`${archive}: entry ${JSON.stringify(entry)} ${why}; ${outcome}`, { archive, entry });
}

/** The entry path as segments ("./a//b/" -> ["a", "b"]); refuses absolute paths and "..". */
export function entrySegments(archive: string, entryPath: string, outcome = NOTHING_EXTRACTED): string[] {
  if (entryPath.startsWith('/') || /^[A-Za-z]:[\\/]/.test(entryPath)) {
    throw refuse(archive, entryPath, 'has an absolute path; archives must contain relative paths only', outcome);
  }
  const segments = entryPath.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw refuse(archive, entryPath, 'has a ".." path segment; archives must only contain paths inside the tree', outcome);
  if (entryPath.includes('\0')) throw refuse(archive, entryPath, 'has a NUL byte in its path', outcome);
  return segments;
}

/** Checks one entry as it is read; `seen` counts entries and bytes so far (updated). */
export function checkEntry(
  archive: string,
  entry: ArchiveEntry,
  seen: { entries: number; bytes: number },
  limits: ExtractLimits,
  outcome = NOTHING_EXTRACTED,
): void {
  seen.entries += 1;
  if (seen.entries > limits.maxEntries) {
    throw refuse(archive, entry.path, `is one more than the ${limits.maxEntries} entries an archive may have (raise the limit or upload fewer files)`, outcome);
  }
  if (!ALLOWED_TYPES.has(entry.type)) {
    throw refuse(archive, entry.path, `is a ${entry.type} entry; only files, directories and links are allowed`, outcome);
  }
  const segments = entrySegments(archive, entry.path, outcome);
  if (segments.length === 0 && entry.type !== 'Directory') throw refuse(archive, entry.path, 'has an empty path', outcome);
  if (FILE_TYPES.has(entry.type)) {
    seen.bytes += entry.size;
    if (seen.bytes > limits.maxBytes) {
      throw refuse(archive, entry.path, `takes the unpacked size past the limit of ${limits.maxBytes} bytes`, outcome);
    }
  }
}

/** Checks the links of the whole archive (a link's safety can depend on entries after it). */
export function checkLinks(archive: string, entries: ArchiveEntry[], outcome = NOTHING_EXTRACTED): void {
  const symlinks = new Set<string>();
  for (const e of entries) if (e.type === 'SymbolicLink') symlinks.add(entrySegments(archive, e.path, outcome).join('/'));
  const files = new Set<string>();
  for (const e of entries) {
    const segments = entrySegments(archive, e.path, outcome);
    for (let i = 1; i < segments.length; i++) {
      if (symlinks.has(segments.slice(0, i).join('/'))) {
        throw refuse(archive, e.path, `lies under the symbolic link ${JSON.stringify(segments.slice(0, i).join('/'))}; extracting it would write through the link`, outcome);
      }
    }
    if (e.type === 'SymbolicLink') checkSymlink(archive, e, segments, symlinks, outcome);
    if (e.type === 'Link') {
      const target = hardLinkTarget(archive, e, outcome);
      if (!files.has(target)) {
        throw refuse(archive, e.path, `is a hard link to ${JSON.stringify(e.linkpath)}, which is not a regular file earlier in the archive`, outcome);
      }
    }
    if (FILE_TYPES.has(e.type)) files.add(segments.join('/'));
  }
}

function checkSymlink(archive: string, e: ArchiveEntry, segments: string[], symlinks: Set<string>, outcome: string): void {
  if (!e.linkpath) throw refuse(archive, e.path, 'is a symbolic link with an empty target', outcome);
  if (e.linkpath.startsWith('/')) {
    throw refuse(archive, e.path, `is a symbolic link to the absolute path ${JSON.stringify(e.linkpath)}, outside the tree`, outcome);
  }
  const parts = e.linkpath.split('/').filter((s) => s !== '' && s !== '.');
  const cur = segments.slice(0, -1);
  parts.forEach((part, i) => {
    if (part === '..') {
      if (cur.length === 0) throw refuse(archive, e.path, `is a symbolic link to ${JSON.stringify(e.linkpath)}, outside the tree`, outcome);
      cur.pop();
      return;
    }
    cur.push(part);
    if (i < parts.length - 1 && symlinks.has(cur.join('/'))) {
      throw refuse(archive, e.path, `is a symbolic link whose target ${JSON.stringify(e.linkpath)} passes through another symbolic link`, outcome);
    }
  });
}

function hardLinkTarget(archive: string, e: ArchiveEntry, outcome: string): string {
  if (e.linkpath.startsWith('/') || e.linkpath.split('/').includes('..')) {
    throw refuse(archive, e.path, `is a hard link to ${JSON.stringify(e.linkpath)}, outside the tree`, outcome);
  }
  return e.linkpath.split('/').filter((s) => s !== '' && s !== '.').join('/');
}
