// The HTTP caching and range rules of a static response, as pure functions of the file's size and
// mtime and the request's headers: ETag and Last-Modified, 304 for If-None-Match/If-Modified-Since,
// one byte range (206/416; several ranges are answered with the whole file, which RFC 9110 allows),
// If-Range, Cache-Control by name.

/** A strong validator from size and mtime; the encoding of a precompressed sibling is part of it. */
export function etagOf(size: number, mtimeMs: number, encoding: string | null): string {
  const base = `${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}`;
  return encoding === null ? `"${base}"` : `"${base}-${encoding}"`;
}

/** The request's validators say the client's copy is current (304). If-None-Match wins over If-Modified-Since. */
export function notModified(ifNoneMatch: string | undefined, ifModifiedSince: string | undefined, etag: string, mtimeMs: number): boolean {
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true;
    return ifNoneMatch.split(',').some((t) => {
      const tag = t.trim();
      return tag === etag || tag === `W/${etag}`;
    });
  }
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}

export type RangeAnswer = { kind: 'whole' } | { kind: 'part'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * What a Range header asks of a file of `size` bytes. Only "bytes=" with one range is honoured;
 * a malformed header or several ranges get the whole file. `ifRange`: the range applies only when
 * it names the current ETag or Last-Modified.
 */
export function rangeOf(header: string | undefined, size: number, ifRange: string | undefined, etag: string, lastModified: string): RangeAnswer {
  if (header === undefined) return { kind: 'whole' };
  if (ifRange !== undefined && ifRange !== etag && ifRange !== lastModified) return { kind: 'whole' };
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return { kind: 'whole' };
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return { kind: 'whole' };
  let start: number;
  let end: number;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return { kind: 'unsatisfiable' };
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== '' && Number(last) < start) return { kind: 'whole' };
  }
  if (start >= size || size === 0) return { kind: 'unsatisfiable' };
  return { kind: 'part', start, end };
}

/** A content hash of 8+ hex digits between dots or dashes in the name ("app.3f9a1c2b.js", "chunk-0a1b2c3d4e.css"). */
const FINGERPRINT = /[.-][0-9a-f]{8,}[.-]/i;

export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Names that may change under the same URL: cached briefly, then revalidated (cheap with the ETag). */
export const REVALIDATE = 'public, max-age=60, must-revalidate';

export function cacheControlOf(name: string): string {
  return FINGERPRINT.test(name) ? IMMUTABLE : REVALIDATE;
}
