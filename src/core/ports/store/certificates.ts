// TLS certificates the control plane holds for the edge: the chain in clear, the private key as
// ciphertext sealed by the secret box above the store (like secrets), and the renewal bookkeeping.
// Outside the store the key is only ever a Sensitive (services/certificate-records.ts opens it).

export type CertificateSource = 'acme' | 'secret';
/** 'route': a route's hosts, at a deploy; 'on-demand': a host first seen in a TLS handshake (on_demand_tls). */
export type CertificateOrigin = 'route' | 'on-demand';

export interface StoredCertificate {
  /** Derived from the hosts (core/certificate-id.ts); also the certificate's id on the edge. */
  id: string;
  hosts: string[];
  /** PEM chain, leaf first. */
  chainPem: string;
  /** The leaf's private key, sealed by the secret box (opaque base64). */
  keyCiphertext: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  source: CertificateSource;
  origin: CertificateOrigin;
  /** ACME directory URL it was issued by (source acme). */
  directoryUrl: string | null;
  /** When renewal is due, or the next retry after a failure (ISO 8601); null: never renewed by Slipway. */
  renewAfter: string | null;
  /** Consecutive failed renewals (the backoff). */
  failures: number;
  lastError: string | null;
  lastAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type NewStoredCertificate = Omit<StoredCertificate, 'failures' | 'lastError' | 'lastAttemptAt' | 'createdAt' | 'updatedAt' | 'origin'> & {
  /** Absent: 'route' for a new certificate, unchanged for a replaced one (a renewal keeps its origin). */
  origin?: CertificateOrigin;
};

export interface CertificateRecords {
  /** Inserts or replaces by id (a renewal keeps the id); clears failures and last error, sets last attempt to now. */
  saveCertificate(c: NewStoredCertificate): Promise<StoredCertificate>;
  getStoredCertificate(id: string): Promise<StoredCertificate | null>;
  /** All, ordered by id. */
  listStoredCertificates(): Promise<StoredCertificate[]>;
  /** A failed issue or renewal: counts it, keeps the error, and sets when to try again. Unknown id: false. */
  recordCertificateFailure(id: string, error: string, retryAt: string): Promise<boolean>;
  deleteStoredCertificate(id: string): Promise<boolean>;
}
