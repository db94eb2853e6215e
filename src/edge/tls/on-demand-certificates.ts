// Certificates at the first handshake (a route with on-demand TLS). The edge holds no ACME
// account and no policy: for an SNI name it has no certificate for, it tells whoever listens (the
// control plane, through the admin API's `GET /tls/wanted` stream) and holds the handshake, up to
// `waitMs`, until a certificate that serves the name is put or the name is refused. A refused name
// is remembered for `refusedMs`, so a flood of handshakes for it fails at once and costs the
// control plane nothing. Without a listener (the control plane is down) the handshake fails at
// once, unremembered: the next one asks again.
import type tls from 'node:tls';
import { onDemandName } from '../../core/on-demand-host.js';

export interface WantedHost {
  host: string;
  /** The id of the on-demand route, whose policy decides. */
  route: string;
}

export interface OnDemandOptions {
  /** The certificate for a name, if the edge holds one (CertificateSet.contextFor). */
  contextFor(host: string): tls.SecureContext | undefined;
  /** The id of this edge's route with on-demand TLS, if any; nothing is asked without one. */
  route(): string | undefined;
  /** Whether another route names the host (its certificate is that route's business, not on-demand). */
  claimedByOther?(host: string): boolean;
  /** How long a handshake waits for its certificate (default 20 s). */
  waitMs?: number;
  /** How long a refused name fails at once (default 60 s). */
  refusedMs?: number;
  /** Names waiting at once, beyond which new names fail at once (default 100). */
  maxPending?: number;
  /** Refused names remembered at once; the oldest are forgotten first (default 10,000). */
  maxRefused?: number;
  now?: () => number;
}

interface Pending {
  waiters: Array<(context: tls.SecureContext | undefined) => void>;
  timer: NodeJS.Timeout;
}

export class OnDemandCertificates {
  readonly #o: OnDemandOptions;
  readonly #pending = new Map<string, Pending>();
  /** name → when its refusal ends (insertion order = age, for eviction). */
  readonly #refused = new Map<string, number>();
  readonly #listeners = new Set<(wanted: WantedHost) => void>();

  constructor(o: OnDemandOptions) {
    this.#o = o;
  }

  /** The certificate for `servername` once obtained, or undefined (the handshake then fails). */
  async contextFor(servername: string): Promise<tls.SecureContext | undefined> {
    const held = this.#o.contextFor(servername.toLowerCase());
    if (held) return held;
    const route = this.#o.route();
    if (route === undefined) return undefined;
    const host = onDemandName(servername);
    if (host === undefined || this.isRefused(host) || this.#listeners.size === 0 || this.#o.claimedByOther?.(host)) return undefined;
    const pending = this.#pending.get(host);
    if (pending) return new Promise((resolve) => pending.waiters.push(resolve));
    if (this.#pending.size >= (this.#o.maxPending ?? 100)) return undefined;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#settle(host, undefined), this.#o.waitMs ?? 20_000);
      this.#pending.set(host, { waiters: [resolve], timer });
      for (const listen of this.#listeners) listen({ host, route });
    });
  }

  isRefused(host: string): boolean {
    const until = this.#refused.get(host);
    if (until === undefined) return false;
    if (until > this.#now()) return true;
    this.#refused.delete(host);
    return false;
  }

  /** Names waiting now (given to a listener that subscribes late, e.g. a reconnected control plane). */
  pending(): WantedHost[] {
    const route = this.#o.route();
    return route === undefined ? [] : [...this.#pending.keys()].map((host) => ({ host, route }));
  }

  /** Calls `listen` for every name wanted from now on; returns the unsubscribe. */
  subscribe(listen: (wanted: WantedHost) => void): () => void {
    this.#listeners.add(listen);
    return () => this.#listeners.delete(listen);
  }

  /** A certificate was put: every waiting handshake it serves completes with it. */
  certificatesChanged(): void {
    for (const host of [...this.#pending.keys()]) {
      const context = this.#o.contextFor(host);
      if (context) this.#settle(host, context);
    }
  }

  /** The control plane refused `host` (policy, rate limit, or a failed issuance): fail its handshakes, remember it. */
  refuse(host: string, forMs = this.#o.refusedMs ?? 60_000): void {
    const name = host.toLowerCase();
    this.#refused.delete(name);
    this.#refused.set(name, this.#now() + forMs);
    const max = this.#o.maxRefused ?? 10_000;
    for (const oldest of this.#refused.keys()) {
      if (this.#refused.size <= max) break;
      this.#refused.delete(oldest);
    }
    this.#settle(name, undefined);
  }

  /** Fails every waiting handshake (the edge is closing). */
  close(): void {
    for (const host of [...this.#pending.keys()]) this.#settle(host, undefined);
  }

  #settle(host: string, context: tls.SecureContext | undefined): void {
    const pending = this.#pending.get(host);
    if (!pending) return;
    this.#pending.delete(host);
    clearTimeout(pending.timer);
    for (const resolve of pending.waiters) resolve(context);
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }
}
