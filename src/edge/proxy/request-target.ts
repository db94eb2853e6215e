// The request's host and target as the exchanges use them: the host key routes are matched by,
// the path the upstream sees (prefix stripped when the route asks), the path for logs.

/** The path the upstream sees: the prefix removed when asked, never empty. */
export function upstreamUrl(prefix: string, strip: boolean, url: string): string {
  if (!strip || prefix === '/') return url;
  const rest = url.slice(prefix.length);
  if (rest.length === 0) return '/';
  return rest.charCodeAt(0) === 63 ? `/${rest}` : rest;
}

/** "Example.COM:8080" -> "example.com"; "[::1]:80" -> "[::1]". */
export function normaliseHost(header: string | undefined): string {
  if (!header) return '';
  let end = header.length;
  if (header.charCodeAt(0) === 91 /* [ */) {
    const close = header.indexOf(']');
    if (close > 0) end = close + 1;
  } else {
    const colon = header.indexOf(':');
    if (colon >= 0) end = colon;
  }
  const host = end === header.length ? header : header.slice(0, end);
  return host.toLowerCase();
}

/** The path of a request target without its query, for logs. */
export function pathOnly(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** "/old" matches the path "/old" and "/old/x", not "/older". */
export function prefixMatchesPath(prefix: string, path: string): boolean {
  if (prefix === '/') return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || path.charCodeAt(prefix.length) === 47; /* / */
}
