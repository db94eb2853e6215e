// Named domain errors. Transports answering HTTP map `code` to a status in one place (error-status.ts).

export type ErrorCode =
  | 'invalid_input'
  | 'invalid_config'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'locked'
  | 'payload_too_large'
  | 'failed_precondition'
  | 'unavailable'
  | 'rate_limited'
  | 'internal';

export class SlipwayError extends Error {
  override readonly name: string = 'SlipwayError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class InvalidInputError extends SlipwayError {
  override readonly name = 'InvalidInputError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('invalid_input', message, details);
  }
}

/** A problem in a configuration file; `issues` name the file and the path. */
export class ConfigError extends SlipwayError {
  override readonly name = 'ConfigError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('invalid_config', message, details);
  }
}

export class NotFoundError extends SlipwayError {
  override readonly name = 'NotFoundError';
  constructor(what: string, id: string) {
    super('not_found', `${what} ${JSON.stringify(id)} was not found`, { what, id });
  }
}

export class ConflictError extends SlipwayError {
  override readonly name = 'ConflictError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('conflict', message, details);
  }
}

export class LockedError extends SlipwayError {
  override readonly name = 'LockedError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('locked', message, details);
  }
}

/** A dependency (the Docker Engine, the edge, a database) cannot be reached or is down. */
export class UnavailableError extends SlipwayError {
  override readonly name: string = 'UnavailableError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('unavailable', message, details);
  }
}

/**
 * The edge (the proxy in front of the apps) is down: nothing reaches any app through it until it
 * runs again. Its messages start with one of the phrases `describesEdgeDown` knows.
 */
export class EdgeDownError extends UnavailableError {
  override readonly name = 'EdgeDownError';
}

/** Whether an error text (a deployment's, say) says the edge is down, so nothing is being served. */
export function describesEdgeDown(text: string | null | undefined): boolean {
  return text != null && /\b(the edge is not running|the edge is down)\b/.test(text);
}

export class UnauthorizedError extends SlipwayError {
  override readonly name = 'UnauthorizedError';
  constructor(message = 'a valid bearer token is required (Authorization: Bearer <token>)') {
    super('unauthorized', message);
  }
}

export class PreconditionError extends SlipwayError {
  override readonly name = 'PreconditionError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('failed_precondition', message, details);
  }
}

/**
 * An ACME CA did not issue a certificate: it refused the order or a name failed validation. The
 * message carries the CA's problem detail (RFC 8555 section 6.7: type, detail, and the subproblem
 * of each failing identifier), never a key. 412 like other preconditions: what the CA needs (a
 * name that resolves here, a reachable edge, a DNS record) is state the operator can fix before
 * retrying; the request itself was well formed.
 */
export class CertificateIssueError extends SlipwayError {
  override readonly name = 'CertificateIssueError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('failed_precondition', message, details);
  }
}

/** A step failed in a way the deployment log explains. */
export class StepFailedError extends SlipwayError {
  override readonly name = 'StepFailedError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('failed_precondition', message, details);
  }
}

/**
 * A program we ran did not succeed: it could not start, exited non-zero, was killed, ran out of
 * time or was cancelled. The message names the command and ends with the last lines of its
 * stderr; `argv` is kept off `details` (which transports send) and out of serialized errors: it
 * may name hosts or hold SQL.
 */
export class CommandFailedError extends SlipwayError {
  override readonly name = 'CommandFailedError';
  readonly #argv: readonly string[];
  constructor(message: string, argv: readonly string[], details: Record<string, unknown> = {}) {
    super('internal', message, details);
    this.#argv = argv;
  }

  /** A private field behind a getter: serializers (JSON, the logger) do not see it. */
  get argv(): readonly string[] {
    return this.#argv;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
