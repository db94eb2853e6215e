// When a certificate is due for renewal: inside the CA's ACME Renewal Information window when it
// gives one (a random time in it, RFC 9773), else when a third of its lifetime remains, a little
// earlier by a random jitter (up to 5% of the lifetime) so that many certificates issued together
// are not all renewed in the same minute. After a failed renewal, the next try backs off.

export interface RenewalInput {
  notBefore: Date;
  notAfter: Date;
  suggestedRenewal?: { start: Date; end: Date };
  /** In [0, 1); Math.random by default. */
  random?: () => number;
}

export const JITTER_SHARE = 0.05;

export function renewalTime(c: RenewalInput): Date {
  const random = c.random ?? Math.random;
  const ari = c.suggestedRenewal;
  if (ari && ari.end.getTime() >= ari.start.getTime()) {
    return new Date(ari.start.getTime() + random() * (ari.end.getTime() - ari.start.getTime()));
  }
  const lifetime = Math.max(0, c.notAfter.getTime() - c.notBefore.getTime());
  return new Date(c.notAfter.getTime() - lifetime / 3 - random() * lifetime * JITTER_SHARE);
}

const FIRST_RETRY_MS = 60_000;
const MAX_RETRY_MS = 6 * 3600_000;

/**
 * The next try after `failures` consecutive failures (1 = the first): one minute, doubling up to
 * six hours; never later than half-way to expiry, so a failing renewal keeps being tried before
 * the certificate expires.
 */
export function retryTime(now: Date, failures: number, notAfter: Date): Date {
  const backoff = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
  const halfway = Math.max(FIRST_RETRY_MS, (notAfter.getTime() - now.getTime()) / 2);
  return new Date(now.getTime() + Math.min(backoff, halfway));
}
