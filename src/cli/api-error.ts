// A non-2xx answer of the control plane, carrying the API's own error code and message.

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The error line that ends an NDJSON stream ({ error, status }, see src/http/error-handler.ts). */
  static fromStreamed(line: { error?: unknown; status?: number }): ApiError {
    return ApiError.fromBody(line.status ?? 500, JSON.stringify({ error: line.error }));
  }

  /** Builds the error from a response body, whatever shape it has. */
  static fromBody(status: number, bodyText: string): ApiError {
    try {
      const parsed = JSON.parse(bodyText) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
      const e = parsed.error;
      if (e && typeof e.message === 'string') {
        const details = typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : {};
        return new ApiError(status, typeof e.code === 'string' ? e.code : `http_${status}`, e.message, details);
      }
    } catch {
      // not JSON: fall through to the generic message
    }
    const snippet = bodyText.trim().slice(0, 200);
    return new ApiError(status, `http_${status}`, `the server answered HTTP ${status}${snippet ? `: ${snippet}` : ''}`);
  }
}
