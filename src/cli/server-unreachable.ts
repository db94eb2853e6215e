// The CLI could not find or reach a control plane. Always says how to fix it.
import { UnavailableError } from '../core/errors.js';

export const START_HINT = 'start one with `slipway server` or set SLIPWAY_URL and SLIPWAY_TOKEN';

export class ServerUnreachableError extends UnavailableError {
  override readonly name = 'ServerUnreachableError';
}
