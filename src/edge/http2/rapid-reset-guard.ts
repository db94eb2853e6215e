// Protection against the HTTP/2 rapid reset attack (CVE-2023-44487): a client opens streams and
// resets them at once, so the edge starts work (routing, an upstream request) that the concurrent
// stream limit never sees, since a reset stream no longer counts. Each connection has a bucket of
// resets: a stream reset before its response was complete takes one, whether the client reset it
// or the server had to for the client's protocol error (a DATA frame past the Content-Length: the
// "MadeYouReset" variant, CVE-2025-8671); the bucket refills at a steady rate. An empty bucket means the connection is an abuser: the front sends GOAWAY
// (ENHANCE_YOUR_CALM) and closes it. A browser cancelling a few requests as the user navigates
// never comes near the limits. (nghttp2 has a similar limit of its own, at 1000 resets.)

export interface RapidResetLimits {
  /** Resets a connection may make in a burst (default 100). */
  burst: number;
  /** Resets per second the bucket regains (default 10). */
  perSecond: number;
}

export const DEFAULT_RAPID_RESET_LIMITS: RapidResetLimits = { burst: 100, perSecond: 10 };

export class RapidResetGuard {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limits: RapidResetLimits,
    now: number,
  ) {
    this.tokens = limits.burst;
    this.last = now;
  }

  /** Counts one client reset at `now` (ms); true when the connection went over its limit. */
  reset(now: number): boolean {
    const refill = ((now - this.last) / 1000) * this.limits.perSecond;
    this.last = now;
    this.tokens = Math.min(this.limits.burst, this.tokens + refill) - 1;
    return this.tokens < 0;
  }
}
