// Authentication of a delivery: an HMAC-SHA256 of the raw body, or (GitLab) a shared token,
// compared in constant time. Failures are `unauthorized` errors and reveal nothing about the secret.
import { SlipwayError } from '../core/errors.js';
import type { Sensitive } from '../core/sensitive.js';
import { constantTimeEqual, decodeHex, hmacSha256 } from './constant-time.js';

/** One secret, or several while a rotation is in progress (any of them authenticates). */
export type WebhookSecret = Sensitive | readonly Sensitive[];

function secretValues(secret: WebhookSecret): string[] {
  const list: readonly unknown[] = Array.isArray(secret) ? secret : [secret];
  const values = list
    .map((s) => (s && typeof (s as Sensitive).reveal === 'function' ? (s as Sensitive).reveal() : ''))
    .filter((v): v is string => typeof v === 'string' && v !== '');
  if (values.length === 0) {
    throw new SlipwayError('unauthorized', 'no webhook secret is set for this app: set or rotate it, then configure the same secret at the git provider');
  }
  return values;
}

/** Compares against every secret (no early exit), true if any matched. */
function anyMatches(values: string[], matches: (value: string) => boolean): boolean {
  let ok = false;
  for (const v of values) ok = matches(v) || ok;
  return ok;
}

/**
 * Checks `<prefix><64 hex>` (prefix "sha256=" or "") against HMAC-SHA256(secret, body).
 * `headerName` is only used in messages.
 */
export function verifyHmacHeader(value: string, prefix: string, headerName: string, body: Buffer, secret: WebhookSecret): void {
  const keys = secretValues(secret);
  const hex = value.startsWith(prefix) ? value.slice(prefix.length) : null;
  const given = hex === null ? null : decodeHex(hex, 32);
  if (given === null) {
    throw new SlipwayError('unauthorized', `header ${headerName} is malformed: expected "${prefix}" followed by 64 hex characters of HMAC-SHA256 of the body`);
  }
  if (!anyMatches(keys, (key) => constantTimeEqual(given, hmacSha256(key, body)))) {
    throw new SlipwayError('unauthorized', `header ${headerName} does not match the body: check that the webhook secret at the provider is the app's current webhook secret`);
  }
}

/** GitLab sends the secret itself (X-Gitlab-Token). */
export function verifySharedToken(value: string, headerName: string, secret: WebhookSecret): void {
  const keys = secretValues(secret);
  const given = Buffer.from(value, 'utf8');
  if (!anyMatches(keys, (key) => constantTimeEqual(given, Buffer.from(key, 'utf8')))) {
    throw new SlipwayError('unauthorized', `header ${headerName} is not the app's webhook secret: set the same secret token at the provider`);
  }
}
