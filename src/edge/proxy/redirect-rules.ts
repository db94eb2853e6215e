// A route's redirect rules (slipway.yml `redirects`), answered before static files and proxying:
// a whole host to a URL, or a path prefix (under the route's prefix) to a URL or path, with or
// without the rest of the path and the query.
import type { RedirectRule } from '../../core/ports/edge-control.js';
import { prefixMatchesPath } from './request-target.js';

export interface Redirect {
  status: number;
  location: string;
}

/**
 * The first rule matching `host` and `url` ("/old/x?q", relative to the route's prefix), or null.
 * keepPath: the host rule appends the whole path, the path rule what follows its prefix; both the query.
 */
export function redirectOf(rules: readonly RedirectRule[], host: string, url: string): Redirect | null {
  const q = url.indexOf('?');
  const pathPart = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q);
  for (const rule of rules) {
    let rest: string;
    if (rule.fromHost !== undefined) {
      if (rule.fromHost !== host) continue;
      rest = pathPart;
    } else if (rule.fromPath !== undefined) {
      if (!prefixMatchesPath(rule.fromPath, pathPart)) continue;
      rest = rule.fromPath === '/' ? pathPart : pathPart.slice(rule.fromPath.length);
    } else continue;
    if (!rule.keepPath) return { status: rule.status, location: rule.to };
    const base = rule.to.endsWith('/') && rest.startsWith('/') ? rule.to.slice(0, -1) : rule.to;
    return { status: rule.status, location: `${base}${rest}${query}` };
  }
  return null;
}
