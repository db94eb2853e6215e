// A CertificateIssuer for tests: real certificates from a TestCa, valid for the lifetime the test
// sets from the test's clock, optionally with an ARI window; told to refuse, it rejects with a
// CertificateIssueError carrying an ACME problem detail, as the AcmeIssuer does. It records every order.
import type { AcmeAccountSettings, CertificateIssuer, IssueRequest, IssuedCertificate } from '../../src/core/ports/certificate-issuer.js';
import { CertificateIssueError } from '../../src/core/errors.js';
import { Sensitive } from '../../src/core/sensitive.js';
import type { Clock } from '../../src/platform/clock.js';
import type { TestCa } from './test-ca.js';

export class TestCertificateIssuer implements CertificateIssuer {
  readonly orders: { directoryUrl: string; hosts: string[]; solverTypes: string[] }[] = [];
  lifetimeMs = 90 * 86_400_000;
  /** Relative to notBefore: the ARI window to report, if any. */
  ari: { startMs: number; endMs: number } | null = null;
  #refusal: string | null = null;

  constructor(private readonly ca: TestCa, private readonly clock: Clock) {}

  /** Every following order fails with this problem detail until `accept`. */
  refuse(detail: string): void {
    this.#refusal = detail;
  }

  accept(): void {
    this.#refusal = null;
  }

  async issue(account: AcmeAccountSettings, request: IssueRequest): Promise<IssuedCertificate> {
    this.orders.push({ directoryUrl: account.directoryUrl, hosts: [...request.hosts], solverTypes: request.solvers.map((s) => s.type) });
    request.progress?.(`ordering a certificate for ${request.hosts.join(', ')}`);
    if (this.#refusal !== null) {
      // Worded as the AcmeIssuer words a refusal.
      throw new CertificateIssueError(`the CA at ${account.directoryUrl} refused the certificate for ${request.hosts.join(', ')}: urn:ietf:params:acme:error:rejectedIdentifier: ${this.#refusal}`);
    }
    // X.509 times have whole seconds.
    const notBefore = new Date(Math.floor(this.clock.now().getTime() / 1000) * 1000);
    const notAfter = new Date(notBefore.getTime() + this.lifetimeMs);
    const minted = await this.ca.mint(request.hosts, notBefore, notAfter);
    const out: IssuedCertificate = { certificatePem: minted.certificatePem, keyPem: new Sensitive(minted.keyPem), notBefore, notAfter };
    if (this.ari) out.suggestedRenewal = { start: new Date(notBefore.getTime() + this.ari.startMs), end: new Date(notBefore.getTime() + this.ari.endMs) };
    return out;
  }
}
