// The HTTP API's error responses, `{ error: { code, message, details } }`, with the statuses of core/error-status.ts.
import type { FastifyError, FastifyInstance } from 'fastify';
import { httpStatusFor } from '../core/error-status.js';
import { SlipwayError } from '../core/errors.js';
import type { ErrorBody } from '../core/wire/error-body.js';

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: { code, message, details } };
}

/** The status and body of a SlipwayError, message and details redacted. */
export function slipwayErrorResponse(err: SlipwayError, redact: (text: string) => string): { status: number; body: ErrorBody } {
  return { status: httpStatusFor(err.code), body: errorBody(err.code, redact(err.message), JSON.parse(redact(JSON.stringify(err.details))) as Record<string, unknown>) };
}

/**
 * The last line of an NDJSON stream whose headers are already sent: the error body plus its HTTP
 * status. An unexpected error is reported as internal; its text goes only to `onInternal`.
 */
export function streamedErrorLine(err: unknown, redact: (text: string) => string, onInternal: (err: unknown) => void): string {
  if (err instanceof SlipwayError) {
    const { status, body } = slipwayErrorResponse(err, redact);
    return JSON.stringify({ ...body, status });
  }
  onInternal(err);
  return JSON.stringify({ ...errorBody('internal', 'internal error; the server log has the details'), status: 500 });
}

export function installErrorHandler(app: FastifyInstance, redact: (text: string) => string): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (err instanceof SlipwayError) {
      const { status, body } = slipwayErrorResponse(err, redact);
      // A refusal that ends at a known time says when (RFC 9110 10.2.3), for clients that back off.
      const retryAfter = err.details['retryAfterSeconds'];
      if (typeof retryAfter === 'number' && retryAfter > 0) void reply.header('retry-after', String(Math.ceil(retryAfter)));
      return reply.status(status).send(body);
    }
    const fe = err as FastifyError;
    const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
    if (status === 413) return reply.status(413).send(errorBody('payload_too_large', 'the request body is too large'));
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
      return reply.status(415).send(errorBody('invalid_input', `unsupported Content-Type; send application/json`));
    }
    if (err instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      // Parser messages quote the body, which may hold a secret: never echo it.
      return reply.status(400).send(errorBody('invalid_input', 'the request body is not valid JSON; check quoting and commas'));
    }
    if (status >= 400 && status < 500) {
      const message = fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'the JSON body is empty' : redact(fe.message);
      return reply.status(status).send(errorBody('invalid_input', message));
    }
    req.log.error({ err: redact(err.stack ?? err.message) }, 'request failed');
    return reply.status(500).send(errorBody('internal', 'internal error; the server log has the details'));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
}
