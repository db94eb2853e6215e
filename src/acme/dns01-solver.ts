// Answers DNS-01 (RFC 8555 section 8.4) through a DnsProvider: the TXT record
// `_acme-challenge.<host>` holding base64url(SHA-256(key authorization)), and waits until the
// zone's authoritative servers answer it before the CA is told to validate (a CA asking too early
// fails the authorization for good).
import { createHash } from 'node:crypto';
import type { ChallengeSolver, DnsProvider } from '../core/ports/certificate-issuer.js';
import { waitForTxt } from './txt-visibility.js';

export interface Dns01SolverOptions {
  /** TTL of the challenge record (default 60 s). */
  ttlSeconds?: number;
  /** "host:port" of the servers to check; default: the zone's authoritative servers found through the system resolver. */
  checkServers?: string[];
  /** How long to wait for the record to be visible (default 120 s). */
  visibleWithinMs?: number;
}

export class Dns01Solver implements ChallengeSolver {
  readonly type = 'dns-01' as const;
  readonly #provider: DnsProvider;
  readonly #opts: Dns01SolverOptions;

  constructor(provider: DnsProvider, opts: Dns01SolverOptions = {}) {
    this.#provider = provider;
    this.#opts = opts;
  }

  async present(host: string, _token: string, keyAuthorization: string): Promise<void> {
    const fqdn = recordName(host);
    const value = txtValue(keyAuthorization);
    await this.#provider.setTxt(fqdn, value, this.#opts.ttlSeconds ?? 60);
    await waitForTxt(fqdn, value, { servers: this.#opts.checkServers, timeoutMs: this.#opts.visibleWithinMs ?? 120_000 });
  }

  cleanUp(host: string, _token: string, keyAuthorization: string): Promise<void> {
    return this.#provider.removeTxt(recordName(host), txtValue(keyAuthorization));
  }
}

function recordName(host: string): string {
  return `_acme-challenge.${host.replace(/^\*\./, '').replace(/\.$/, '')}`;
}

/** RFC 8555 section 8.4: the TXT value is the base64url SHA-256 digest of the key authorization. */
export function txtValue(keyAuthorization: string): string {
  return createHash('sha256').update(keyAuthorization).digest('base64url');
}
