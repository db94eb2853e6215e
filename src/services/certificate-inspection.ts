// What a PEM certificate chain says about itself: validity, the names it covers, whether a key is
// its leaf's. Used to check own certificates from secrets before they go to the edge, and to tell
// whether a stored certificate still covers a route's hosts.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { InvalidInputError } from '../core/errors.js';
import type { Sensitive } from '../core/sensitive.js';

export interface CertificateFacts {
  notBefore: Date;
  notAfter: Date;
  /** DNS names of the leaf's subjectAltName, lower case. */
  names: string[];
  /** Hex SHA-256 of the leaf's DER. */
  fingerprint: string;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function leafOf(chainPem: string): X509Certificate {
  const first = chainPem.match(PEM_BLOCK)?.[0];
  if (!first) throw new InvalidInputError('no PEM certificate found (expected "-----BEGIN CERTIFICATE-----")');
  try {
    return new X509Certificate(first);
  } catch {
    throw new InvalidInputError('the first PEM certificate does not parse');
  }
}

export function inspectCertificate(chainPem: string): CertificateFacts {
  const leaf = leafOf(chainPem);
  const names = (leaf.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((n) => n.startsWith('DNS:'))
    .map((n) => n.slice(4).toLowerCase());
  return {
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
    names,
    fingerprint: leaf.fingerprint256.replaceAll(':', '').toLowerCase(),
  };
}

/** Whether the key is the private key of the chain's leaf. */
export function keyMatches(chainPem: string, keyPem: Sensitive): boolean {
  const leaf = leafOf(chainPem);
  try {
    return leaf.checkPrivateKey(createPrivateKey(keyPem.reveal()));
  } catch {
    return false;
  }
}

/** Whether a certificate's name covers a host: the same name, or a one-level wildcard of it. */
export function nameCovers(name: string, host: string): boolean {
  if (name === host) return true;
  if (!name.startsWith('*.') || host.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === name.slice(2);
}

/** The hosts none of the names covers. */
export function uncoveredHosts(names: readonly string[], hosts: readonly string[]): string[] {
  return hosts.filter((h) => !names.some((n) => nameCovers(n, h.toLowerCase())));
}
