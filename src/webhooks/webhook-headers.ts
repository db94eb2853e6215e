// Case-insensitive access to request headers, refusing repeated or non-string values.
import { InvalidInputError, SlipwayError, type ErrorCode } from '../core/errors.js';
import type { WebhookHeaders } from './webhook-event.js';

const MAX_HEADER_LENGTH = 1024;

/**
 * The value of header `name` (trimmed), or null when absent. A header given more than once, not
 * as text, or longer than 1 KiB is an error with `code` (unauthorized for signature headers).
 */
export function header(headers: WebhookHeaders, name: string, code: ErrorCode = 'invalid_input'): string | null {
  if (typeof headers !== 'object' || headers === null) throw new InvalidInputError('request headers are missing');
  const wanted = name.toLowerCase();
  let found: unknown;
  let count = 0;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    found = (headers as Record<string, unknown>)[key];
    count++;
  }
  if (count === 0 || found === undefined) return null;
  if (Array.isArray(found)) {
    if (found.length !== 1) throw new SlipwayError(code, `header ${name} was sent ${found.length} times; send it once`);
    found = found[0];
  }
  if (count > 1 || typeof found !== 'string') throw new SlipwayError(code, `header ${name} must be sent once, as text`);
  if (found.length > MAX_HEADER_LENGTH) throw new SlipwayError(code, `header ${name} is longer than ${MAX_HEADER_LENGTH} characters`);
  return found.trim();
}

/** Like `header` but an absent or empty header is an error that names it. */
export function requiredHeader(headers: WebhookHeaders, name: string, code: ErrorCode, why: string): string {
  const v = header(headers, name, code);
  if (v === null || v === '') throw new SlipwayError(code, `header ${name} is missing: ${why}`);
  return v;
}

/** Delivery ids are logged and stored: printable ASCII, at most 200 characters. */
export function checkDeliveryId(id: string, name: string): string {
  if (!/^[\x21-\x7e]{1,200}$/.test(id)) {
    throw new InvalidInputError(`header ${name} is not a valid delivery id: expected 1 to 200 printable ASCII characters`);
  }
  return id;
}
