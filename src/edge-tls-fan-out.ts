// Several edges as one EdgeTls (the local edge and, once the Swarm driver is in use, the Swarm
// edge service): a certificate or a challenge answer goes to every edge in use, and an edge
// holds a certificate only as all of them do (the listing is their intersection by id and leaf),
// so CertificateService.syncEdge gives it again to whichever edge lacks it.
import type { EdgeCertificate, EdgeCertificateState, EdgeChallenge, EdgeTls } from './core/ports/edge-tls.js';

export class EdgeTlsFanOut implements EdgeTls {
  /** `edges()` is asked at each call: an edge that comes into use later is included from then on. */
  constructor(private readonly edges: () => readonly EdgeTls[]) {}

  async putCertificate(cert: EdgeCertificate): Promise<EdgeCertificateState> {
    const states = await Promise.all(this.#all().map((e) => e.putCertificate(cert)));
    return states[0]!;
  }

  async removeCertificate(id: string): Promise<void> {
    await Promise.all(this.#all().map((e) => e.removeCertificate(id)));
  }

  async listCertificates(): Promise<EdgeCertificateState[]> {
    const [first, ...rest] = await Promise.all(this.#all().map((e) => e.listCertificates()));
    return (first ?? []).filter((c) => rest.every((list) => list.some((o) => o.id === c.id && o.fingerprint === c.fingerprint)));
  }

  async putChallenge(challenge: EdgeChallenge): Promise<void> {
    await Promise.all(this.#all().map((e) => e.putChallenge(challenge)));
  }

  async removeChallenge(type: EdgeChallenge['type'], key: string): Promise<void> {
    await Promise.all(this.#all().map((e) => e.removeChallenge(type, key)));
  }

  #all(): readonly EdgeTls[] {
    const edges = this.edges();
    if (edges.length === 0) throw new Error('no edge to give certificates to');
    return edges;
  }
}
