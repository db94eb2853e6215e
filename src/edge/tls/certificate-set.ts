// The certificates the edge serves, keyed by id, and the SNI lookup over them: the exact host
// first, then the one-level wildcard ("*.example.com" serves "a.example.com", not
// "b.a.example.com" nor "example.com"), else none (the handshake then fails with an alert).
// A put with a known id replaces that certificate for new handshakes; open connections keep theirs.
import type tls from 'node:tls';
import type { EdgeCertificateState } from '../../core/ports/edge-tls.js';
import type { LoadedCertificate } from './certificate-material.js';

export class CertificateSet {
  private readonly byId = new Map<string, LoadedCertificate>();
  /** host or "*.suffix" → certificate; rebuilt on every change (changes are rare, lookups are per handshake). */
  private byHost = new Map<string, LoadedCertificate>();

  put(cert: LoadedCertificate): void {
    this.byId.set(cert.state.id, cert);
    this.reindex();
  }

  remove(id: string): boolean {
    const had = this.byId.delete(id);
    if (had) this.reindex();
    return had;
  }

  list(): EdgeCertificateState[] {
    return [...this.byId.values()].map((c) => c.state).sort((a, b) => a.id.localeCompare(b.id));
  }

  get size(): number {
    return this.byId.size;
  }

  /** The context for an SNI name (lower-cased by the caller), or undefined. */
  contextFor(servername: string): tls.SecureContext | undefined {
    const exact = this.byHost.get(servername);
    if (exact) return exact.context;
    const dot = servername.indexOf('.');
    if (dot <= 0) return undefined;
    return this.byHost.get(`*${servername.slice(dot)}`)?.context;
  }

  /**
   * When two certificates name the same host, the one issued last (latest notBefore) serves it, so
   * a replacement put under a new id takes over before the old one is removed.
   */
  private reindex(): void {
    const next = new Map<string, LoadedCertificate>();
    const ordered = [...this.byId.values()].sort((a, b) => a.state.notBefore.localeCompare(b.state.notBefore));
    for (const cert of ordered) for (const host of cert.state.hosts) next.set(host, cert);
    this.byHost = next;
  }
}
