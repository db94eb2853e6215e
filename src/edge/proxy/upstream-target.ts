// One upstream server: its keep-alive connection pools, in-flight count, health state and drain.
// Proxied requests go through the edge's own HTTP/1.1 client (UpstreamPool, at most 256
// connections); health checks through an undici Pool.
import { Pool } from 'undici';
import type { EdgeTarget } from '../../core/ports/edge-control.js';
import { UpstreamPool } from './upstream-pool.js';

const MAX_CONNECTIONS = 256;

export class UpstreamTarget {
  readonly url: string;
  release: string | undefined;
  readonly hostname: string;
  readonly port: number;
  /** For health checks. */
  readonly pool: Pool;
  /** For proxied requests. */
  readonly upstream: UpstreamPool;
  inFlight = 0;
  /** In rotation as far as health goes (routing/health-monitor.ts decides; see TargetPool). */
  healthy = true;
  /** Consecutive successful checks while unhealthy, towards the healthy threshold. */
  successes = 0;
  /** Consecutive failed health checks (0 after a passing one). */
  failures = 0;
  /** Date.now() when the last health check finished; 0 before the first. */
  lastCheckAt = 0;
  /** The last health check's result: "200", "503", "ECONNREFUSED", "timeout after 2000 ms". */
  lastResult = '';
  private retired = false;
  private onRetired: (() => void) | undefined;
  private drainWaiters: Array<() => void> = [];

  constructor(target: EdgeTarget) {
    const u = new URL(target.url);
    this.url = u.origin;
    this.release = target.release;
    this.hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    this.port = u.port ? Number(u.port) : 80;
    this.pool = new Pool(this.url, { connections: 4, pipelining: 1 });
    this.upstream = new UpstreamPool(this.hostname, this.port, MAX_CONNECTIONS);
  }

  toJSON(): EdgeTarget {
    return this.release === undefined ? { url: this.url } : { url: this.url, release: this.release };
  }

  /** Notes a finished health check; what it means for rotation is the health monitor's call. */
  noteCheck(ok: boolean, result: string): void {
    this.lastCheckAt = Date.now();
    this.lastResult = result;
    this.failures = ok ? 0 : this.failures + 1;
  }

  acquire(): void {
    this.inFlight++;
  }

  releaseOne(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.drainWaiters.length > 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
    if (this.inFlight === 0 && this.retired) this.closeRetired();
  }

  /** Resolves true once nothing is in flight, false if `timeoutMs` passed first. */
  whenDrained(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.drainWaiters = this.drainWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      this.drainWaiters.push(done);
    });
  }

  /** No new requests will come; close the connections once nothing is in flight. */
  retire(onDrained?: () => void): void {
    this.retired = true;
    this.onRetired = onDrained;
    if (this.inFlight === 0) this.closeRetired();
  }

  /** Closes every connection now (the edge is stopping). */
  destroy(): void {
    void this.pool.destroy().catch(() => undefined);
    this.upstream.destroy();
  }

  private closeRetired(): void {
    void this.pool.close().catch(() => undefined);
    void this.upstream.close();
    const cb = this.onRetired;
    this.onRetired = undefined;
    cb?.();
  }
}
