// Errors of the Engine client. The Engine is a dependency that can be down: 'unavailable'.
import { SlipwayError, UnavailableError } from '../../../core/errors.js';

export { UnavailableError };

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
