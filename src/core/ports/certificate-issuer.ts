// Obtaining a certificate from an ACME CA (RFC 8555). The issuer owns the ACME account of each
// directory URL and the order flow; how a challenge is answered is a ChallengeSolver's job.
import type { Sensitive } from '../sensitive.js';

export type ChallengeType = 'http-01' | 'tls-alpn-01' | 'dns-01';

/** Answers one kind of challenge, and takes the answer down again. */
export interface ChallengeSolver {
  readonly type: ChallengeType;
  /** `host` is the identifier without "*." ; for dns-01 the record is `_acme-challenge.<host>`. */
  present(host: string, token: string, keyAuthorization: string): Promise<void>;
  cleanUp(host: string, token: string, keyAuthorization: string): Promise<void>;
}

/** Sets and removes TXT records; implemented by RFC 2136 (nsupdate) here, by Route53/CloudFlare adapters elsewhere. */
export interface DnsProvider {
  readonly name: string;
  /** Adds a TXT record (other TXT values of the same name stay). */
  setTxt(fqdn: string, value: string, ttlSeconds: number): Promise<void>;
  removeTxt(fqdn: string, value: string): Promise<void>;
}

export interface AcmeAccountSettings {
  /** RFC 8555 directory URL, e.g. Let's Encrypt's production directory. */
  directoryUrl: string;
  /** Contact e-mail, optional. */
  email?: string;
  /** External Account Binding, for CAs that require it (ZeroSSL, Google, ...). */
  eab?: { kid: string; hmacKey: Sensitive };
}

export interface IssuedCertificate {
  /** PEM chain, leaf first. */
  certificatePem: string;
  keyPem: Sensitive;
  notBefore: Date;
  notAfter: Date;
  /** ACME Renewal Information: when the CA suggests renewing, if it offers ARI. */
  suggestedRenewal?: { start: Date; end: Date };
}

export interface IssueRequest {
  /** Names on the certificate; a wildcard ("*.example.com") needs a dns-01 solver. */
  hosts: string[];
  /** Solvers to use, in order of preference; one whose type the CA offers for each name is used. */
  solvers: ChallengeSolver[];
  /** Progress lines for the deployment log ("ordering a certificate for ...", "answering http-01 for ..."). */
  progress?: (line: string) => void;
  signal?: AbortSignal;
}

export interface CertificateIssuer {
  /**
   * Orders, validates and downloads a certificate with a fresh key. A CA refusal rejects with a
   * CertificateIssueError whose message carries the CA's problem detail.
   */
  issue(account: AcmeAccountSettings, request: IssueRequest): Promise<IssuedCertificate>;
}
