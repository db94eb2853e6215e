// Maps whatever ended a command to its exit status and message: 2 for usage and validation
// errors, 1 for API errors, unreachable servers and failures, 0 for help and version.
import { CommanderError } from 'commander';
import { SlipwayError, errorMessage } from '../core/errors.js';
import { ApiError } from './api-error.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface Ending {
  code: number;
  /** Written to stderr; empty when already printed (commander prints its own messages). */
  message: string;
}

export function endingFor(err: unknown): Ending {
  if (err instanceof CommanderError) return { code: err.exitCode === 0 ? EXIT_OK : EXIT_USAGE, message: '' };
  // A SettingsError of platform/env.ts (matched by name: that module is loaded lazily).
  if (err instanceof Error && err.name === 'SettingsError') return { code: EXIT_USAGE, message: `error: ${err.message}` };
  if (err instanceof ApiError) return { code: EXIT_FAILURE, message: `error: ${err.message}${apiHint(err)}` };
  if (err instanceof SlipwayError) {
    const usage = err.code === 'invalid_input' || err.code === 'invalid_config';
    // Config errors already name the file and path on every line.
    return { code: usage ? EXIT_USAGE : EXIT_FAILURE, message: err.code === 'invalid_config' ? err.message : `error: ${err.message}` };
  }
  return { code: EXIT_FAILURE, message: `error: ${errorMessage(err)}` };
}

function apiHint(err: ApiError): string {
  if (err.status === 401) return ' (check SLIPWAY_TOKEN, or the admin.token in the data directory)';
  if (err.status === 403) return ' (this token may not do that)';
  return '';
}
