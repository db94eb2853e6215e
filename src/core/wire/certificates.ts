// TLS certificates on the wire (`GET /api/certificates`, `GET /api/certificates/:ref`,
// `POST /api/certificates/:ref/renew`, and in `GET /api/status`). Never a key.
import type { CertificateOrigin, CertificateSource } from '../ports/store/certificates.js';

/** valid; expiring: within 14 days of its end; expired; failing: its last renewal failed. */
export type CertificateCondition = 'valid' | 'expiring' | 'expired' | 'failing';

export interface CertificateView {
  id: string;
  hosts: string[];
  source: CertificateSource;
  /** 'on-demand': obtained at a TLS handshake for a host of an on_demand_tls route. */
  origin: CertificateOrigin;
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter (negative once expired). */
  expiresInDays: number;
  condition: CertificateCondition;
  directoryUrl: string | null;
  /** When Slipway renews it next (or retries after a failure); null for own certificates. */
  renewAfter: string | null;
  failures: number;
  lastError: string | null;
  lastAttemptAt: string | null;
  /** Hex SHA-256 of the leaf. */
  fingerprint: string | null;
  /** Whether a live route uses it (unused ones are not renewed and are removed once expired); null: not known. */
  inUse: boolean | null;
}

/** Certificates within this many days of expiry are shown by `slipway status`. */
export const EXPIRY_WARNING_DAYS = 14;
