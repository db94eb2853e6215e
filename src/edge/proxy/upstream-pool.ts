// The keep-alive connections to one upstream (host:port): idle ones are reused newest first, at
// most `maxConnections` exist, requests beyond that wait in order. One process-wide timer fails
// requests that saw no activity for their timeout and closes connections idle for too long.
import { UpstreamConnection, type ConnectionOwner } from './upstream-connection.js';
import { UpstreamError, type UpstreamRequest } from './upstream-request.js';

const SWEEP_INTERVAL_MS = 200;

export class UpstreamPool implements ConnectionOwner {
  private readonly idle: UpstreamConnection[] = [];
  private readonly connections = new Set<UpstreamConnection>();
  private readonly waiting: Array<{ req: UpstreamRequest; since: number }> = [];
  private closing = false;
  private onEmpty: (() => void) | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly maxConnections = 256,
  ) {}

  /** Number of open connections (busy and idle). */
  get size(): number {
    return this.connections.size;
  }

  /**
   * Sends `req` on an idle connection, a new one, or (at the limit) the first one to come free.
   * `fresh`: not on an idle connection (a retry after a kept-alive one turned out closed).
   */
  dispatch(req: UpstreamRequest, fresh = false): void {
    if (this.closing) {
      req.handler.onUpstreamError(new UpstreamError(`upstream ${this.host}:${this.port} is closed`, 'SLIPWAY_UPSTREAM_CLOSED', 'connect'));
      return;
    }
    if (!fresh) {
      const conn = this.idle.pop();
      if (conn !== undefined) return conn.start(req);
    }
    if (this.connections.size < this.maxConnections) return this.open().start(req);
    this.waiting.push({ req, since: Date.now() });
    sweeper.watch(this);
  }

  resume(req: UpstreamRequest): void {
    req.control?.resume(req);
  }

  /** The client went away: drop the request wherever it is. */
  abort(req: UpstreamRequest): void {
    if (req.control !== undefined) return req.control.abort(req);
    const i = this.waiting.findIndex((w) => w.req === req);
    if (i !== -1) this.waiting.splice(i, 1);
  }

  onIdle(conn: UpstreamConnection): void {
    const next = this.waiting.shift();
    if (next !== undefined) return conn.start(next.req);
    if (this.closing) return conn.destroy();
    this.idle.push(conn);
  }

  onClosed(conn: UpstreamConnection): void {
    this.connections.delete(conn);
    const i = this.idle.lastIndexOf(conn);
    if (i !== -1) this.idle.splice(i, 1);
    const next = this.waiting.length > 0 && !this.closing ? this.waiting.shift() : undefined;
    if (next !== undefined) return this.open().start(next.req);
    if (this.connections.size === 0 && this.waiting.length === 0) {
      sweeper.unwatch(this);
      const cb = this.onEmpty;
      this.onEmpty = undefined;
      cb?.();
    }
  }

  sweep(now: number): void {
    for (const conn of this.connections) conn.checkTimeout(now);
    while (this.waiting.length > 0) {
      const first = this.waiting[0] as { req: UpstreamRequest; since: number };
      if (now - first.since <= first.req.timeoutMs) break;
      this.waiting.shift();
      first.req.handler.onUpstreamError(
        new UpstreamError(`no connection to ${this.host}:${this.port} came free within ${first.req.timeoutMs} ms`, 'ETIMEDOUT', 'no', true),
      );
    }
  }

  /** No new requests; idle connections close now, busy ones after their response. Resolves when all are closed. */
  close(): Promise<void> {
    this.closing = true;
    for (const conn of [...this.idle]) conn.destroy();
    if (this.connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.onEmpty = resolve));
  }

  /** Closes every connection now; requests on them fail. */
  destroy(): void {
    this.closing = true;
    const err = new UpstreamError(`upstream ${this.host}:${this.port}: the edge is stopping`, 'SLIPWAY_UPSTREAM_CLOSED', 'no');
    for (const w of this.waiting.splice(0)) w.req.handler.onUpstreamError(err);
    for (const conn of [...this.connections]) conn.destroy(err);
  }

  private open(): UpstreamConnection {
    const conn = new UpstreamConnection(this.host, this.port, this);
    this.connections.add(conn);
    sweeper.watch(this);
    return conn;
  }
}

/** One interval for all pools, running only while some pool has connections or waiting requests. */
const sweeper = {
  pools: new Set<UpstreamPool>(),
  timer: undefined as NodeJS.Timeout | undefined,
  watch(pool: UpstreamPool): void {
    this.pools.add(pool);
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      const now = Date.now();
      for (const p of this.pools) p.sweep(now);
    }, SWEEP_INTERVAL_MS);
    this.timer.unref();
  },
  unwatch(pool: UpstreamPool): void {
    this.pools.delete(pool);
    if (this.pools.size > 0 || this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
  },
};
