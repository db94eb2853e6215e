// The ACME challenges the edge answers right now, in memory only: HTTP-01 key authorizations by
// token, TLS-ALPN-01 certificates by host. Each lives until removed or for at most an hour.
import type tls from 'node:tls';

export const CHALLENGE_TTL_MS = 60 * 60 * 1000;

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

export class ChallengeAnswers {
  private readonly http01 = new Map<string, Expiring<string>>();
  private readonly tlsAlpn01 = new Map<string, Expiring<tls.SecureContext>>();

  constructor(private readonly now: () => number = Date.now) {}

  putHttp01(token: string, keyAuthorization: string): void {
    this.prune();
    this.http01.set(token, { value: keyAuthorization, expiresAt: this.now() + CHALLENGE_TTL_MS });
  }

  putTlsAlpn01(host: string, context: tls.SecureContext): void {
    this.prune();
    this.tlsAlpn01.set(host, { value: context, expiresAt: this.now() + CHALLENGE_TTL_MS });
  }

  remove(type: 'http-01' | 'tls-alpn-01', key: string): void {
    if (type === 'http-01') this.http01.delete(key);
    else this.tlsAlpn01.delete(key.toLowerCase());
  }

  /** The key authorization for a token, if one is pending. */
  http01Answer(token: string): string | undefined {
    return this.live(this.http01, token);
  }

  /** The challenge certificate for a host, if one is pending. */
  tlsAlpn01Context(host: string): tls.SecureContext | undefined {
    return this.tlsAlpn01.size === 0 ? undefined : this.live(this.tlsAlpn01, host);
  }

  /** Drops expired answers (on every put, so answers nobody removes or asks for do not pile up). */
  private prune(): void {
    const now = this.now();
    for (const map of [this.http01, this.tlsAlpn01] as Map<string, Expiring<unknown>>[]) {
      for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
    }
  }

  private live<T>(map: Map<string, Expiring<T>>, key: string): T | undefined {
    const entry = map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return entry.value;
  }
}
