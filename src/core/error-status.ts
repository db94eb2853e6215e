// The one table from error codes to HTTP statuses, used by every transport that answers HTTP: the
// control plane's API (http/error-handler.ts) and the edge's admin API (edge/admin-api.ts).
// Chosen by RFC 9110 (and RFC 4918 for 423):
// - invalid_input 400: the request itself is wrong (bad JSON, a field that fails its schema); 400
//   is the generic client error and what the API has always answered for both.
// - invalid_config 422: the request is well formed but the configuration it points at (slipway.yml)
//   cannot be processed ("Unprocessable Content").
// - locked 423: the environment is locked by someone ("Locked"), distinct from a plain conflict.
// - failed_precondition 412: the current state does not allow the operation ("deploy it first",
//   "already live"); the caller can change that state and retry. What the public API has always
//   answered, so kept (clients check it); RFC 9110 meant 412 for conditional request headers, and
//   409 would fit better: a change to make deliberately, announced, not inside a refactoring.
// - rate_limited 429: too many refused requests in a short time ("Too Many Requests"), e.g.
//   unsigned webhook deliveries for one app and provider.
import type { ErrorCode } from './errors.js';

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  invalid_input: 400,
  invalid_config: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  locked: 423,
  payload_too_large: 413,
  failed_precondition: 412,
  unavailable: 503,
  rate_limited: 429,
  internal: 500,
};

/** The HTTP status for an error code; 500 for a code this table does not know (an old peer's). */
export function httpStatusFor(code: ErrorCode): number {
  return HTTP_STATUS[code] ?? 500;
}
