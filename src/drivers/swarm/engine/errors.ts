// Errors of the Engine client. The Engine is a dependency that can be down: 'unavailable'.
import { SlipwayError } from '../../../core/errors.js';

export class UnavailableError extends SlipwayError {
  override readonly name = 'UnavailableError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('unavailable', message, details);
  }
}

/** The Engine answered with an error status; `status` is the HTTP status. */
export class EngineApiError extends SlipwayError {
  override readonly name = 'EngineApiError';
  constructor(
    readonly status: number,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(status === 404 ? 'not_found' : status === 409 ? 'conflict' : status === 400 ? 'invalid_input' : 'unavailable', message, { status, ...details });
  }
}
