// How the control plane gives an edge what it needs to serve HTTPS: certificates with their keys,
// and the answers to ACME challenges (HTTP-01 tokens, TLS-ALPN-01 certificates). The edge keeps
// certificates in its own snapshot, one file each, so a restart without the control plane still
// serves HTTPS and one unreadable certificate never affects another host.
import type { Sensitive } from '../sensitive.js';

export interface EdgeCertificate {
  /** Stable id chosen by the control plane ("shop.example", "wild.example.com"): [a-z0-9._-], at most 200. */
  id: string;
  /**
   * Names this certificate serves: exact host names or one-level wildcards ("*.example.com").
   * For an SNI name the edge prefers an exact host, then the wildcard, then none (handshake fails).
   */
  hosts: string[];
  /** PEM chain, leaf first. */
  certificatePem: string;
  /** PEM private key of the leaf. */
  keyPem: Sensitive;
}

/** What the edge reports about a certificate it holds; never the key. */
export interface EdgeCertificateState {
  id: string;
  hosts: string[];
  /** ISO 8601, from the leaf. */
  notBefore: string;
  notAfter: string;
  /** Hex SHA-256 of the leaf's DER. */
  fingerprint: string;
}

export type EdgeChallenge =
  /** Served as `GET http://<any host>/.well-known/acme-challenge/<token>` → keyAuthorization (text/plain). */
  | { type: 'http-01'; token: string; keyAuthorization: string }
  /** Served to a TLS ClientHello for `host` that offers ALPN "acme-tls/1" (RFC 8737). */
  | { type: 'tls-alpn-01'; host: string; certificatePem: string; keyPem: Sensitive };

export interface EdgeTls {
  /** Adds or replaces (by id) a certificate; refused (invalid_input) when the PEMs do not parse or the key does not match. */
  putCertificate(cert: EdgeCertificate): Promise<EdgeCertificateState>;
  removeCertificate(id: string): Promise<void>;
  listCertificates(): Promise<EdgeCertificateState[]>;
  /** Challenges live in memory only, until removed or for at most an hour. */
  putChallenge(challenge: EdgeChallenge): Promise<void>;
  /** key: the token (http-01) or the host (tls-alpn-01). */
  removeChallenge(type: EdgeChallenge['type'], key: string): Promise<void>;
}

/** A name the edge holds TLS handshakes for, on its on-demand route `route`. */
export interface WantedCertificate {
  host: string;
  route: string;
}

/**
 * On-demand TLS as the control plane sees the edge: the names it wants certificates for (a stream
 * the control plane holds open, so the control plane still calls the edge), and refusals. The
 * answer to a wanted name is a certificate put through EdgeTls, or `refuseOnDemand`.
 */
export interface EdgeOnDemand {
  /** Wanted names until `signal` aborts (then it ends) or the edge goes (then it throws). */
  wantedCertificates(signal: AbortSignal): AsyncIterable<WantedCertificate>;
  /** The edge fails handshakes for `host` at once for `seconds`. */
  refuseOnDemand(host: string, seconds: number): Promise<void>;
}
