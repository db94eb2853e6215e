// On-demand TLS in the control plane: it holds the edge's stream of wanted names open (reopened
// a second after it breaks: an edge restart, the keeper's restart), and answers each name with a
// certificate or a refusal. The decision is made here, never on the edge: the name is checked
// again, the route must be live with on_demand_tls, the policy must allow the name
// (on-demand-policy.ts), the rate limits must leave room (on-demand-rate-limit.ts); then the
// certificate service orders it (recorded with origin 'on-demand', pushed to the edge, which
// completes the waiting handshakes). A refusal is sent to the edge, which remembers it a while.
import type { OnDemandTlsSpec } from '../core/app-spec.js';
import { errorMessage } from '../core/errors.js';
import { onDemandName } from '../core/on-demand-host.js';
import type { EdgeOnDemand, WantedCertificate } from '../core/ports/edge-tls.js';
import type { Logger } from '../platform/logger.js';
import { pause } from '../platform/clock.js';
import type { CertificateService } from './certificate-service.js';
import { decideOnDemand, type AskFetch } from './on-demand-policy.js';
import type { OnDemandRateLimit } from './on-demand-rate-limit.js';

/** How long the edge fails handshakes for a name at once, by why it was refused. */
export const REFUSED_SECONDS = { policy: 60, rateLimited: 10, failed: 60 } as const;

export interface OnDemandIssuanceOptions {
  edge: EdgeOnDemand;
  certificates: Pick<CertificateService, 'issueOnDemand'>;
  /** The on_demand_tls of the live route with this edge route id, or null. */
  policyFor(route: string): Promise<OnDemandTlsSpec | null>;
  limit: OnDemandRateLimit;
  logger: Logger;
  fetch?: AskFetch;
  askTimeoutMs?: number;
  /** Wait before reopening a broken stream (default 1 s). */
  retryMs?: number;
}

export type OnDemandOutcome = 'issued' | 'refused' | 'rate-limited' | 'failed' | 'ignored';

export class OnDemandIssuance {
  readonly #o: OnDemandIssuanceOptions;
  /** Names being decided or ordered: a name asked for again meanwhile is not asked twice. */
  readonly #busy = new Set<string>();
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;

  constructor(o: OnDemandIssuanceOptions) {
    this.#o = o;
  }

  start(): void {
    if (this.#loop) return;
    const abort = (this.#abort = new AbortController());
    this.#loop = this.#watch(abort.signal);
  }

  async stop(): Promise<void> {
    this.#abort?.abort();
    await this.#loop;
    this.#loop = undefined;
  }

  /** Answers one wanted name (the edge's line, trusted in nothing). */
  async handle(wanted: WantedCertificate): Promise<OnDemandOutcome> {
    const host = typeof wanted.host === 'string' ? onDemandName(wanted.host) : undefined;
    if (host === undefined || typeof wanted.route !== 'string' || this.#busy.has(host)) return 'ignored';
    this.#busy.add(host);
    try {
      return await this.#answer(host, wanted.route);
    } finally {
      this.#busy.delete(host);
    }
  }

  async #answer(host: string, route: string): Promise<OnDemandOutcome> {
    const { logger } = this.#o;
    const policy = await this.#o.policyFor(route).catch(() => null);
    if (!policy) {
      await this.#refuse(host, REFUSED_SECONDS.policy);
      logger.warn({ host, route }, 'on-demand certificate refused: the route has no on_demand_tls in its live release');
      return 'refused';
    }
    const decision = await decideOnDemand(host, policy, { ...(this.#o.fetch ? { fetch: this.#o.fetch } : {}), ...(this.#o.askTimeoutMs ? { timeoutMs: this.#o.askTimeoutMs } : {}) });
    if (!decision.allowed) {
      await this.#refuse(host, REFUSED_SECONDS.policy);
      logger.info({ host, route, reason: decision.reason }, 'on-demand certificate refused');
      return 'refused';
    }
    if (!this.#o.limit.take(route, policy.per_minute)) {
      await this.#refuse(host, REFUSED_SECONDS.rateLimited);
      logger.warn({ host, route }, 'on-demand certificate refused: rate limit reached (on_demand_tls.per_minute or SLIPWAY_ON_DEMAND_MAX_PER_HOUR)');
      return 'rate-limited';
    }
    try {
      const view = await this.#o.certificates.issueOnDemand(host);
      logger.info({ host, route, by: decision.by, certificate: view.id, notAfter: view.notAfter }, 'on-demand certificate issued');
      return 'issued';
    } catch (err) {
      await this.#refuse(host, REFUSED_SECONDS.failed);
      logger.error({ host, route, err: errorMessage(err) }, 'on-demand certificate could not be obtained');
      return 'failed';
    }
  }

  async #refuse(host: string, seconds: number): Promise<void> {
    await this.#o.edge.refuseOnDemand(host, seconds).catch((err: unknown) => this.#o.logger.warn({ host, err: errorMessage(err) }, 'could not tell the edge of a refused on-demand name'));
  }

  async #watch(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        for await (const wanted of this.#o.edge.wantedCertificates(signal)) void this.handle(wanted);
      } catch (err) {
        if (!signal.aborted) this.#o.logger.debug({ err: errorMessage(err) }, 'the edge stream of wanted certificates broke; reopening');
      }
      await pause(this.#o.retryMs ?? 1000, signal);
    }
  }
}
