// An environment's own certificate (`tls: { certificate_secret, key_secret }`): read from its
// Slipway secrets and checked before it goes anywhere: both secrets set, the chain parses, the key
// is the leaf's, the leaf covers every host and is valid now. Each refusal names the secret.
import { InvalidInputError } from '../core/errors.js';
import type { Sensitive } from '../core/sensitive.js';
import { inspectCertificate, keyMatches, uncoveredHosts, type CertificateFacts } from './certificate-inspection.js';

export interface OwnCertificateSource {
  certificateSecret: string;
  keySecret: string;
  /** The environment's secrets (app-wide overlaid by its own). */
  secrets: Readonly<Record<string, Sensitive>>;
}

export interface CheckedOwnCertificate {
  chainPem: string;
  keyPem: Sensitive;
  facts: CertificateFacts;
}

export function checkOwnCertificate(where: string, src: OwnCertificateSource, hosts: readonly string[], now: Date): CheckedOwnCertificate {
  const cert = src.secrets[src.certificateSecret];
  const key = src.secrets[src.keySecret];
  for (const [name, value, what] of [[src.certificateSecret, cert, 'the PEM certificate chain'], [src.keySecret, key, 'the PEM private key']] as const) {
    if (!value) {
      throw new InvalidInputError(`${where}: the secret ${name} is not set; set it to ${what} with \`slipway secrets set\``, { secret: name });
    }
  }
  const chainPem = cert!.reveal();
  let facts: CertificateFacts;
  try {
    facts = inspectCertificate(chainPem);
  } catch (err) {
    throw new InvalidInputError(`${where}: the secret ${src.certificateSecret} does not hold a PEM certificate chain (${(err as Error).message}); set it to the chain, leaf first`, { secret: src.certificateSecret });
  }
  if (!keyMatches(chainPem, key!)) {
    throw new InvalidInputError(`${where}: the secret ${src.keySecret} is not the private key of the certificate in ${src.certificateSecret}; set the key that belongs to that certificate`, { secret: src.keySecret });
  }
  const missing = uncoveredHosts(facts.names, hosts);
  if (missing.length > 0) {
    throw new InvalidInputError(`${where}: the certificate in ${src.certificateSecret} does not cover ${missing.join(', ')} (it covers ${facts.names.join(', ') || 'no DNS name'}); use a certificate for every host of the route`, { secret: src.certificateSecret });
  }
  if (facts.notBefore.getTime() > now.getTime()) {
    throw new InvalidInputError(`${where}: the certificate in ${src.certificateSecret} is not valid before ${facts.notBefore.toISOString()}; set one that is valid now`, { secret: src.certificateSecret });
  }
  if (facts.notAfter.getTime() <= now.getTime()) {
    throw new InvalidInputError(`${where}: the certificate in ${src.certificateSecret} expired at ${facts.notAfter.toISOString()}; set a current one`, { secret: src.certificateSecret });
  }
  return { chainPem, keyPem: key!, facts };
}
