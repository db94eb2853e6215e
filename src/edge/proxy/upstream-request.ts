// What the edge asks of an upstream connection (one request) and how it hears back (the handler),
// plus the error an upstream call ends with and whether sending it again is safe.
import type { Readable } from 'node:stream';
import type { ResponseHead } from '../http1/http1-response-head.js';

export interface UpstreamHandler {
  /**
   * The response head (1xx interim responses are skipped). `more`: body bytes follow in this same
   * turn, so the head may wait to go out with them. Throwing fails the call with 502.
   */
  onUpstreamHead(head: ResponseHead, more: boolean): void;
  /**
   * Body bytes (a view of the received buffer); `last` when they complete a sized or chunked body
   * (onUpstreamEnd follows). false pauses the upstream until the call is resumed.
   */
  onUpstreamData(chunk: Buffer, last: boolean): boolean;
  /** The response body is complete. */
  onUpstreamEnd(): void;
  /** The call failed; after this nothing more is reported. */
  onUpstreamError(err: UpstreamError): void;
}

export interface UpstreamRequest {
  method: string;
  /** Origin-form request target ("/path?query"), as received (latin1). */
  path: string;
  /** [name, value, ...] to send as they are; no framing headers besides Content-Length. */
  headers: readonly string[];
  /** The request body, read only once the connection is up; null when there is none. */
  body: Readable | null;
  /** Send the body chunked (the client's body had no Content-Length). */
  chunked: boolean;
  /** Idle time (nothing received or sent) after which the call fails with a timeout. */
  timeoutMs: number;
  /** Lower-case response header names not to hand on (besides hop-by-hop ones). */
  dropResponseHeaders: readonly string[];
  handler: UpstreamHandler;
  /** Set by the connection carrying the request (undefined while it waits for one, and after). */
  control?: CallControl | undefined;
}

export interface CallControl {
  resume(req: UpstreamRequest): void;
  abort(req: UpstreamRequest): void;
}

/**
 * - `connect`: the connection never came up; nothing was sent (any request may go again).
 * - `stale`: a reused keep-alive connection closed before any response byte; the upstream may
 *   have seen the request (only an idempotent request without a body may go again).
 * - `no`: not safe to send again.
 */
export type RetrySafety = 'connect' | 'stale' | 'no';

export class UpstreamError extends Error {
  constructor(
    message: string,
    /** ECONNREFUSED, ECONNRESET, ETIMEDOUT, SLIPWAY_UPSTREAM_MALFORMED, SLIPWAY_UPSTREAM_CLOSED ... */
    readonly code: string,
    readonly retry: RetrySafety,
    /** The upstream did not answer (or stalled) for the request's timeout. */
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** Methods RFC 9110 9.2.2 calls idempotent. */
export function isIdempotent(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'PUT' || method === 'DELETE' || method === 'TRACE';
}
