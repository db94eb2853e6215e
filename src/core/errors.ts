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

/** A step failed in a way the deployment log explains. */
export class StepFailedError extends SlipwayError {
  override readonly name = 'StepFailedError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('failed_precondition', message, details);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
