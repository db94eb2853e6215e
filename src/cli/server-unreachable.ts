// The CLI could not find or reach a control plane. Always says how to fix it.
import { SlipwayError } from '../core/errors.js';

export const START_HINT = 'start one with `slipway server` or set SLIPWAY_URL and SLIPWAY_TOKEN';

export class ServerUnreachableError extends SlipwayError {
  override readonly name = 'ServerUnreachableError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('unavailable', message, details);
  }
}
