// Answers TLS-ALPN-01 (RFC 8737) through the edge: for a ClientHello naming the host and offering
// ALPN "acme-tls/1", the edge presents a self-signed certificate for that host carrying the
// critical acmeIdentifier extension (the SHA-256 of the key authorization), made here with a key
// of its own (acme-client's crypto.createAlpnCertificate).
import acme from 'acme-client';
import type { ChallengeSolver } from '../core/ports/certificate-issuer.js';
import type { EdgeTls } from '../core/ports/edge-tls.js';
import { Sensitive } from '../core/sensitive.js';

export class TlsAlpn01EdgeSolver implements ChallengeSolver {
  readonly type = 'tls-alpn-01' as const;
  readonly #edge: Pick<EdgeTls, 'putChallenge' | 'removeChallenge'>;

  constructor(edge: Pick<EdgeTls, 'putChallenge' | 'removeChallenge'>) {
    this.#edge = edge;
  }

  async present(host: string, _token: string, keyAuthorization: string): Promise<void> {
    const key = await acme.crypto.createPrivateEcdsaKey('P-256');
    // createAlpnCertificate reads only the identifier of the authorization it is given.
    const authz = { identifier: { type: 'dns', value: host } } as acme.Authorization;
    const [, cert] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization, key);
    await this.#edge.putChallenge({
      type: 'tls-alpn-01',
      host,
      certificatePem: cert.toString('utf8'),
      keyPem: new Sensitive(key.toString('utf8')),
    });
  }

  cleanUp(host: string): Promise<void> {
    return this.#edge.removeChallenge('tls-alpn-01', host);
  }
}
