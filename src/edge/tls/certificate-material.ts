// A certificate and its key checked and made ready for handshakes: the PEMs parse, the key matches
// the leaf, the leaf covers the names it is to serve, and Node builds a SecureContext from them.
// Errors name the field (certificatePem, keyPem, hosts.N) and never carry key material.
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import tls from 'node:tls';
import { InvalidInputError } from '../../core/errors.js';
import type { EdgeCertificateState } from '../../core/ports/edge-tls.js';

/** What every context the edge serves allows: TLS 1.2 and 1.3 only. */
export const MIN_TLS_VERSION = 'TLSv1.2';

export interface LoadedCertificate {
  state: EdgeCertificateState;
  context: tls.SecureContext;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Checks the PEMs and builds the context. `where` prefixes field names ("certificate", "challenge").
 * `hosts` (when given) must each be covered by the leaf.
 */
export function loadCertificate(where: string, id: string, hosts: readonly string[] | null, certificatePem: string, keyPem: string): LoadedCertificate {
  const pems = certificatePem.match(PEM_CERT) ?? [];
  if (pems.length === 0) throw new InvalidInputError(`${where}.certificatePem: expected a PEM certificate chain (-----BEGIN CERTIFICATE-----), leaf first`);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(pems[0] as string);
    for (const pem of pems.slice(1)) new X509Certificate(pem);
  } catch (err) {
    throw new InvalidInputError(`${where}.certificatePem: a certificate of the chain does not parse (${(err as Error).message})`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    // Node's message may quote the input's first bytes: never echo it.
    throw new InvalidInputError(`${where}.keyPem: expected a PEM private key (-----BEGIN PRIVATE KEY----- or EC/RSA PRIVATE KEY)`);
  }
  if (!leaf.checkPrivateKey(key)) {
    throw new InvalidInputError(`${where}.keyPem: the private key does not match the certificate (the first certificate of certificatePem); send the key the certificate was issued for`);
  }
  hosts?.forEach((host, i) => {
    if (!covers(leaf, host)) throw new InvalidInputError(`${where}.hosts.${i}: ${JSON.stringify(host)} is not a name of the certificate (its names: ${leaf.subjectAltName ?? 'none'})`);
  });
  let context: tls.SecureContext;
  try {
    context = tls.createSecureContext({ cert: pems.join('\n'), key: keyPem, minVersion: MIN_TLS_VERSION });
  } catch (err) {
    throw new InvalidInputError(`${where}.certificatePem: Node cannot use this certificate and key (${(err as Error).message.split('\n')[0]})`);
  }
  return {
    context,
    state: {
      id,
      hosts: [...(hosts ?? [])],
      notBefore: new Date(leaf.validFrom).toISOString(),
      notAfter: new Date(leaf.validTo).toISOString(),
      fingerprint: createHash('sha256').update(leaf.raw).digest('hex'),
    },
  };
}

/** An exact host is checked the way a client would; a wildcard must be one of the leaf's DNS names. */
function covers(leaf: X509Certificate, host: string): boolean {
  if (host.startsWith('*.')) return (leaf.subjectAltName ?? '').split(/,\s*/).includes(`DNS:${host}`);
  return leaf.checkHost(host) !== undefined;
}
