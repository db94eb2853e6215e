// Extracts an uploaded .tar or .tar.gz into a fresh temp directory, safely: a first pass reads
// every entry header and refuses the archive (InvalidInputError naming the entry) before anything
// is written; a second pass extracts with node-tar's own protections on and set-id bits dropped.
// On any failure the temp directory is removed; nothing is ever written outside it.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { InvalidInputError } from '../core/errors.js';
import { checkEntry, checkLinks, DEFAULT_LIMITS, type ArchiveEntry, type ExtractLimits } from '../core/source-tree-policy.js';

export interface SafeExtractOptions extends Partial<ExtractLimits> {
  /** Where the fresh directory is made (default: the OS temp dir). */
  parentDir?: string;
  /** Name of the archive in error messages (default: its file name). */
  displayName?: string;
}

export interface SafeExtractResult {
  /** The fresh directory holding the tree; the caller removes it when done. */
  dir: string;
  entries: number;
  bytes: number;
}

/**
 * The one directory every entry of the archive is under, as release tarballs are made
 * (`DDGC-0.940.tar.gz` holding `DDGC-0.940/...`), or null when entries sit at the top level.
 * Headers only, nothing written; refuses what safeExtract would refuse.
 */
export async function archiveTopDir(archive: string, opts: SafeExtractOptions = {}): Promise<string | null> {
  const limits: ExtractLimits = { maxEntries: opts.maxEntries ?? DEFAULT_LIMITS.maxEntries, maxBytes: opts.maxBytes ?? DEFAULT_LIMITS.maxBytes };
  const { entries } = await scan(archive, opts.displayName ?? path.basename(archive), limits);
  let top: string | null = null;
  for (const e of entries) {
    const parts = e.path.split('/').filter((p) => p !== '' && p !== '.');
    const first = parts[0];
    if (first === undefined) continue;
    if (parts.length === 1 && e.type !== 'Directory') return null; // a file at the top level
    if (top !== null && first !== top) return null;
    top = first;
  }
  return top;
}

export async function safeExtract(archive: string, opts: SafeExtractOptions = {}): Promise<SafeExtractResult> {
  const limits: ExtractLimits = {
    maxEntries: opts.maxEntries ?? DEFAULT_LIMITS.maxEntries,
    maxBytes: opts.maxBytes ?? DEFAULT_LIMITS.maxBytes,
  };
  const name = opts.displayName ?? path.basename(archive);
  const scanned = await scan(archive, name, limits);
  checkLinks(name, scanned.entries);
  const dir = await mkdtemp(path.join(opts.parentDir ?? os.tmpdir(), 'slipway-extract-'));
  try {
    const digest = await extractInto(archive, dir, name);
    if (digest !== scanned.digest) throw new InvalidInputError(`${name} changed while it was being extracted; upload it again`);
    return { dir, entries: scanned.entries.length, bytes: scanned.bytes };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

interface Scan {
  entries: ArchiveEntry[];
  bytes: number;
  digest: string;
}

/** Pass 1: headers only, nothing written. Stops at the first refused entry. */
function scan(archive: string, name: string, limits: ExtractLimits): Promise<Scan> {
  return new Promise((resolve, reject) => {
    const entries: ArchiveEntry[] = [];
    const seen = { entries: 0, bytes: 0 };
    const hash = createHash('sha256');
    const input = createReadStream(archive);
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      input.destroy();
      reject(err instanceof InvalidInputError ? err : notAnArchive(name, err));
    };
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (entry) => {
        const e: ArchiveEntry = { path: entry.path, type: entry.type, linkpath: entry.linkpath ?? '', size: entry.size ?? 0 };
        try {
          checkEntry(name, e, seen, limits);
          entries.push(e);
        } catch (err) {
          fail(err);
        }
        entry.resume();
      },
    });
    parser.on('error', fail);
    parser.on('end', () => {
      if (failed) return;
      if (entries.length === 0) return fail(new InvalidInputError(`${name} contains no files; upload a .tar or .tar.gz of the app`));
      resolve({ entries, bytes: seen.bytes, digest: hash.digest('hex') });
    });
    input.on('error', fail);
    input.on('data', (chunk) => {
      hash.update(chunk as Buffer);
      if (!failed) parser.write(chunk as Buffer);
    });
    input.on('end', () => parser.end());
  });
}

/** Pass 2: the real extraction; returns the sha256 of the bytes it read (must match pass 1). */
function extractInto(archive: string, dir: string, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const unpack = new tar.Unpack({
      cwd: dir,
      strict: true,
      preservePaths: false,
      preserveOwner: false,
      filter: (_p, entry) => {
        if ('mode' in entry && typeof entry.mode === 'number') entry.mode &= 0o777;
        return true;
      },
    });
    const input = createReadStream(archive);
    unpack.on('error', (err: unknown) => {
      input.destroy();
      reject(err instanceof InvalidInputError ? err : notAnArchive(name, err));
    });
    unpack.on('close', () => resolve(hash.digest('hex')));
    input.on('error', (err) => reject(notAnArchive(name, err)));
    input.on('data', (chunk) => {
      hash.update(chunk as Buffer);
      unpack.write(chunk as Buffer);
    });
    input.on('end', () => unpack.end());
  });
}

function notAnArchive(name: string, err: unknown): InvalidInputError {
  const why = err instanceof Error ? err.message : String(err);
  return new InvalidInputError(`${name} could not be read as a .tar or .tar.gz archive (${why}); nothing was extracted`, { archive: name });
}
