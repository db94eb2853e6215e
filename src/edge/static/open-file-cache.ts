// Open descriptors of recently served files, kept for a second (like nginx's open_file_cache), so
// a busy asset costs one positional read per request instead of open, fstat, read and close on the
// thread pool. A descriptor is shared by concurrent readers (reads are positional) and closed only
// when it is stale and no reader holds it. A file replaced in the release is seen within a second.
// Files up to CONTENT_MAX_BYTES also keep their bytes while the descriptor is kept (within a global
// budget): a hot asset is then one socket write from a shared buffer, as nginx's sendfile is one
// copy from the page cache, instead of a read per chunk per request.
import { close, fstat, open, constants as fsConstants, type Stats } from 'node:fs';

const VALID_MS = 1000;
const MAX_OPEN = 1000;
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0);
export const CONTENT_MAX_BYTES = 2 * 1024 * 1024;
const CONTENT_BUDGET_BYTES = 64 * 1024 * 1024;
let contentBytes = 0;

export interface OpenFile {
  readonly fd: number;
  readonly stats: Stats;
  refs: number;
  expires: number;
  stale: boolean;
  /** The whole file, once read (never mutated: shared by every response sending it). */
  content: Buffer | null;
}

const files = new Map<string, OpenFile>();
let sweeper: NodeJS.Timeout | undefined;

/** An open descriptor of `real` (already resolved and checked by the caller); release() it when done. */
export function acquire(real: string, done: (err: Error | null, file: OpenFile | null) => void): void {
  const now = Date.now();
  const cached = files.get(real);
  if (cached !== undefined && cached.expires > now) {
    cached.refs++;
    return done(null, cached);
  }
  if (cached !== undefined) retire(real, cached);
  open(real, OPEN_FLAGS, (err, fd) => {
    if (err) return done(err, null);
    fstat(fd, (err2, stats) => {
      if (err2) {
        close(fd, () => {});
        return done(err2, null);
      }
      const file: OpenFile = { fd, stats, refs: 1, expires: Date.now() + VALID_MS, stale: false, content: null };
      const other = files.get(real);
      if (other !== undefined) retire(real, other);
      if (files.size >= MAX_OPEN) {
        // Oldest first (insertion order): enough room for this one.
        const [oldest] = files.keys();
        if (oldest !== undefined) retire(oldest, files.get(oldest) as OpenFile);
      }
      files.set(real, file);
      sweeper ??= setInterval(sweep, VALID_MS).unref();
      done(null, file);
    });
  });
}

export function release(file: OpenFile): void {
  file.refs--;
  if (file.stale && file.refs === 0) closeFile(file);
}

/** Keeps the whole file's bytes with its descriptor when it is small enough and the budget allows. */
export function keepContent(file: OpenFile, bytes: Buffer): void {
  if (file.stale || file.content !== null || bytes.length !== file.stats.size || bytes.length > CONTENT_MAX_BYTES) return;
  if (contentBytes + bytes.length > CONTENT_BUDGET_BYTES) return;
  file.content = bytes;
  contentBytes += bytes.length;
}

function retire(real: string, file: OpenFile): void {
  if (files.get(real) === file) files.delete(real);
  file.stale = true;
  if (file.refs === 0) closeFile(file);
}

function closeFile(file: OpenFile): void {
  if (file.content !== null) {
    contentBytes -= file.content.length;
    file.content = null;
  }
  close(file.fd, () => {});
}

function sweep(): void {
  const now = Date.now();
  for (const [real, file] of files) if (file.expires <= now) retire(real, file);
  if (files.size === 0 && sweeper !== undefined) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}
