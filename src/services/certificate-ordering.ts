// Ordering a certificate from the ACME CA for a set of hosts: one order per certificate id at a
// time (two deployments of the same hosts share it), the CA's refusal turned into an error that
// carries its problem detail, and the result stored with its key sealed and its renewal time.
import { errorMessage, SlipwayError } from '../core/errors.js';
import type { AcmeAccountSettings, CertificateIssuer, ChallengeSolver, IssuedCertificate } from '../core/ports/certificate-issuer.js';
import type { SecretCipher } from '../core/ports/secret-cipher.js';
import type { CertificateOrigin, CertificateRecords, StoredCertificate } from '../core/ports/store/certificates.js';
import type { Clock } from '../platform/clock.js';
import { renewalTime } from './renewal-time.js';

export type Progress = (line: string) => void;

/** The challenge solvers for an order (HTTP-01 and TLS-ALPN-01 through the edge; DNS-01 when a DNS provider is set). */
export interface SolverFactory {
  solvers(hosts: readonly string[]): ChallengeSolver[];
  /** Whether a DNS provider is configured, so wildcard hosts can be certified (dns-01). */
  readonly dns: boolean;
}

/** An issuer failed without saying why in a SlipwayError of its own: the message names the hosts and carries what it said. */
export class CertificateRefusedError extends SlipwayError {
  override readonly name = 'CertificateRefusedError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('failed_precondition', message, details);
  }
}

export interface CertificateOrderingOptions {
  store: Pick<CertificateRecords, 'saveCertificate'>;
  cipher: SecretCipher;
  issuer: CertificateIssuer;
  solvers: SolverFactory;
  account: () => AcmeAccountSettings;
  clock: Clock;
  random?: () => number;
}

export class CertificateOrdering {
  /** Orders under way, by certificate id. */
  readonly #inFlight = new Map<string, Promise<StoredCertificate>>();

  constructor(private readonly o: CertificateOrderingOptions) {}

  /** Orders (or joins the order under way for) the certificate `id` of `hosts`, and stores it. */
  order(id: string, hosts: readonly string[], progress: Progress, signal?: AbortSignal, origin?: CertificateOrigin): Promise<StoredCertificate> {
    const running = this.#inFlight.get(id);
    if (running) {
      progress(`waiting for the certificate order of ${hosts.join(', ')} already under way`);
      return running;
    }
    const order = this.#order(id, hosts, progress, signal, origin).finally(() => this.#inFlight.delete(id));
    this.#inFlight.set(id, order);
    return order;
  }

  async #order(id: string, hosts: readonly string[], progress: Progress, signal?: AbortSignal, origin?: CertificateOrigin): Promise<StoredCertificate> {
    const account = this.o.account();
    progress(`ordering a certificate for ${hosts.join(', ')} from ${account.directoryUrl}`);
    let issued: IssuedCertificate;
    try {
      issued = await this.o.issuer.issue(account, { hosts: [...hosts], solvers: this.o.solvers.solvers(hosts), progress, ...(signal ? { signal } : {}) });
    } catch (err) {
      // A cancelled deployment stopped the order: that is no refusal of the CA. The issuer's own
      // errors (CertificateIssueError with the CA's problem detail, an unreachable CA) say it all.
      if (signal?.aborted || err instanceof SlipwayError) throw err;
      throw new CertificateRefusedError(`the CA refused a certificate for ${hosts.join(', ')}: ${errorMessage(err)}`, { hosts: [...hosts], directoryUrl: account.directoryUrl });
    }
    const renewAt = renewalTime({
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
      ...(issued.suggestedRenewal ? { suggestedRenewal: issued.suggestedRenewal } : {}),
      ...(this.o.random ? { random: this.o.random } : {}),
    });
    const stored = await this.o.store.saveCertificate({
      id,
      hosts: [...hosts],
      chainPem: issued.certificatePem,
      keyCiphertext: this.o.cipher.seal(issued.keyPem),
      notBefore: issued.notBefore.toISOString(),
      notAfter: issued.notAfter.toISOString(),
      source: 'acme',
      directoryUrl: account.directoryUrl,
      renewAfter: renewAt.toISOString(),
      ...(origin ? { origin } : {}),
    });
    progress(`certificate ${id} issued, valid until ${stored.notAfter}, renewal from ${stored.renewAfter}`);
    return stored;
  }
}
