// Request -> route matching: exact host (case-insensitive, port ignored), then a one-level
// wildcard host ("*.apps.example" serves "a.apps.example", not "a.b.apps.example"), then any-host
// routes; within each, the longest path prefix on a segment boundary; last, the on-demand TLS
// route (a custom-domain service), which serves the hosts no other route claims. Immutable:
// rebuilt and swapped on change.

export interface Routable {
  readonly hosts: readonly string[];
  readonly pathPrefix: string;
  /** The fallback for unclaimed hosts (EdgeRoute.onDemandTls); at most one per table. */
  readonly onDemandTls?: boolean | undefined;
}

export class RouteTable<T extends Routable> {
  private readonly byHost = new Map<string, T[]>();
  private readonly anyHost: T[] = [];
  /** The on-demand route, tried only when nothing else matches. */
  readonly fallback: T | undefined;
  /** Whether any route lists a wildcard host: without one, matching never builds a wildcard key. */
  private readonly wildcards: boolean;

  constructor(readonly entries: readonly T[]) {
    const longestFirst = [...entries].sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);
    for (const entry of longestFirst) {
      if (entry.hosts.length === 0) this.anyHost.push(entry);
      for (const host of entry.hosts) {
        const list = this.byHost.get(host);
        if (list) list.push(entry);
        else this.byHost.set(host, [entry]);
      }
    }
    this.wildcards = entries.some((e) => e.hosts.some((h) => h.startsWith('*.')));
    this.fallback = entries.find((e) => e.onDemandTls === true);
  }

  /** `host` is already normalised (proxy/request-target.ts normaliseHost); `url` is the request target ("/a/b?q"). */
  match(host: string, url: string): T | undefined {
    const specific = this.byHost.get(host);
    if (specific) {
      for (const entry of specific) if (prefixMatches(entry.pathPrefix, url)) return entry;
    }
    if (this.wildcards) {
      const dot = host.indexOf('.');
      const wild = dot > 0 ? this.byHost.get(`*${host.slice(dot)}`) : undefined;
      if (wild) {
        for (const entry of wild) if (prefixMatches(entry.pathPrefix, url)) return entry;
      }
    }
    for (const entry of this.anyHost) if (prefixMatches(entry.pathPrefix, url)) return entry;
    const fallback = this.fallback;
    return fallback && prefixMatches(fallback.pathPrefix, url) ? fallback : undefined;
  }

  /**
   * A route other than the on-demand one that names `host` (exactly or by its wildcard): such a
   * host is that route's, so no certificate is obtained for it on demand.
   */
  claimedByOther(host: string): boolean {
    const dot = host.indexOf('.');
    const lists = [this.byHost.get(host), dot > 0 ? this.byHost.get(`*${host.slice(dot)}`) : undefined];
    return lists.some((list) => list?.some((e) => e !== this.fallback) ?? false);
  }

  /** Another route that is already the on-demand fallback, when `candidate` wants to be one. */
  fallbackConflictWith(candidate: { id: string; onDemandTls?: boolean | undefined }): T | undefined {
    if (candidate.onDemandTls !== true) return undefined;
    const current = this.fallback as (T & { id?: string }) | undefined;
    return current && current.id !== candidate.id ? current : undefined;
  }

  /** Another entry that would serve exactly the same requests as `candidate`, if any. */
  conflictWith(candidate: Routable & { id: string }): T | undefined {
    return this.entries.find((e) => {
      if ((e as unknown as { id: string }).id === candidate.id || e.pathPrefix !== candidate.pathPrefix) return false;
      if (e.hosts.length === 0 || candidate.hosts.length === 0) return e.hosts.length === candidate.hosts.length;
      return e.hosts.some((h) => candidate.hosts.includes(h));
    });
  }
}

/** "/event1" matches "/event1", "/event1/x" and "/event1?q", not "/event10". */
export function prefixMatches(prefix: string, url: string): boolean {
  if (prefix === '/') return true;
  if (!url.startsWith(prefix)) return false;
  const next = url.charCodeAt(prefix.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63; /* ? */
}
