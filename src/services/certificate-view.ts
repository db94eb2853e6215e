// A stored certificate as the API and the CLI show it: dates, condition, renewal state; never the key.
import type { StoredCertificate } from '../core/ports/store/certificates.js';
import { EXPIRY_WARNING_DAYS, type CertificateCondition, type CertificateView } from '../core/wire/certificates.js';
import { inspectCertificate } from './certificate-inspection.js';

const DAY_MS = 86_400_000;

/** `used`: the ids live routes use, or null when not known. */
export function certificateView(c: StoredCertificate, now: Date, used: ReadonlySet<string> | null = null): CertificateView {
  const left = Date.parse(c.notAfter) - now.getTime();
  const condition: CertificateCondition =
    left <= 0 ? 'expired' : c.lastError !== null ? 'failing' : left <= EXPIRY_WARNING_DAYS * DAY_MS ? 'expiring' : 'valid';
  let fingerprint: string | null = null;
  try {
    fingerprint = inspectCertificate(c.chainPem).fingerprint;
  } catch {
    fingerprint = null;
  }
  return {
    id: c.id,
    hosts: c.hosts,
    source: c.source,
    origin: c.origin,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    expiresInDays: Math.floor(left / DAY_MS),
    condition,
    directoryUrl: c.directoryUrl,
    renewAfter: c.renewAfter,
    failures: c.failures,
    lastError: c.lastError,
    lastAttemptAt: c.lastAttemptAt,
    fingerprint,
    inUse: used ? used.has(c.id) : null,
  };
}
