// Which static mount a request path falls under, and the file path it names inside the mount,
// decoded one segment at a time. Every segment is percent-decoded once; a segment that then holds
// "/", "\", NUL, is "." or "..", or starts with "." (dotfiles such as .env or .git stay private) is
// refused, so no encoding (%2e%2e, %2f, %5c, %00, overlong forms that fail to decode) can climb out.
// Double encoding decodes once to a literal name ("%2e%2e") that is just a file name. Links are
// checked later (static-file-sender.ts, realpath and containment).
import type { StaticMount } from '../../core/ports/edge-control.js';

export interface StaticHit {
  mount: StaticMount;
  /** Decoded segments below the mount's dir ([] for the dir itself or a file mount). */
  segments: string[];
  /** The request path ended with "/". */
  trailingSlash: boolean;
}

/** `refused`: the path names no file the edge may serve (the caller answers 404, or passes to the app with tryFiles). */
export type StaticMatch = StaticHit | { mount: StaticMount; refused: true } | undefined;

/**
 * The mount serving `rawPath` (the request path without query, still percent-encoded), with the
 * route's prefix (not "/") already removed. First mount in order wins.
 */
export function matchStatic(mounts: readonly StaticMount[], rawPath: string): StaticMatch {
  for (const mount of mounts) {
    const at = mount.path;
    if (mount.file !== undefined) {
      if (rawPath === at) return { mount, segments: [], trailingSlash: false };
      continue;
    }
    let rest: string;
    if (at === '/') rest = rawPath;
    else if (rawPath === at) rest = '';
    else if (rawPath.startsWith(at) && rawPath.charCodeAt(at.length) === 47 /* / */) rest = rawPath.slice(at.length);
    else continue;
    const segments = decodeSegments(rest);
    if (segments === null) return { mount, refused: true };
    return { mount, segments, trailingSlash: rest.endsWith('/') };
  }
  return undefined;
}

function decodeSegments(rest: string): string[] | null {
  const out: string[] = [];
  for (const raw of rest.split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = raw.includes('%') ? decodeURIComponent(raw) : raw;
    } catch {
      return null;
    }
    if (seg.charCodeAt(0) === 46 /* . */ || /[/\\\0]/.test(seg)) return null;
    out.push(seg);
  }
  return out;
}

/** The request path relative to the route's prefix ("/event1/static/a.css" under "/event1" -> "/static/a.css"). */
export function underPrefix(prefix: string, path: string): string {
  if (prefix === '/') return path;
  const rest = path.slice(prefix.length);
  return rest === '' ? '/' : rest;
}
