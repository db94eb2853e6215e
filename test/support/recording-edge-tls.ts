// An EdgeTls for tests that records what it is given and answers like the edge: it checks that
// the PEMs parse and the key matches (invalid_input otherwise), and lists what it holds.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { InvalidInputError } from '../../src/core/errors.js';
import type { EdgeCertificate, EdgeCertificateState, EdgeChallenge, EdgeTls } from '../../src/core/ports/edge-tls.js';

export class RecordingEdgeTls implements EdgeTls {
  readonly puts: EdgeCertificate[] = [];
  readonly held = new Map<string, { cert: EdgeCertificate; state: EdgeCertificateState }>();
  readonly challenges: EdgeChallenge[] = [];

  async putCertificate(cert: EdgeCertificate): Promise<EdgeCertificateState> {
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(cert.certificatePem);
      if (!leaf.checkPrivateKey(createPrivateKey(cert.keyPem.reveal()))) throw new Error('key mismatch');
    } catch (err) {
      throw new InvalidInputError(`certificate ${cert.id}: ${(err as Error).message}`);
    }
    this.puts.push(cert);
    const state: EdgeCertificateState = {
      id: cert.id,
      hosts: cert.hosts,
      notBefore: new Date(leaf.validFrom).toISOString(),
      notAfter: new Date(leaf.validTo).toISOString(),
      fingerprint: leaf.fingerprint256.replaceAll(':', '').toLowerCase(),
    };
    this.held.set(cert.id, { cert, state });
    return state;
  }

  async removeCertificate(id: string): Promise<void> {
    this.held.delete(id);
  }

  async listCertificates(): Promise<EdgeCertificateState[]> {
    return [...this.held.values()].map((h) => h.state);
  }

  async putChallenge(challenge: EdgeChallenge): Promise<void> {
    this.challenges.push(challenge);
  }

  async removeChallenge(): Promise<void> {}
}
