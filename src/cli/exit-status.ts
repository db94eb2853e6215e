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
  /** What `--json` prints on stdout instead: {error: {code, message, details?}}; absent for help and version. */
  json?: { error: { code: string; message: string; details?: Record<string, unknown> } };
}

/** The ending, with its JSON form for a command run with --json. */
export function endingWithJson(err: unknown): Ending {
  const ending = endingFor(err);
  if (ending.code === EXIT_OK) return ending;
  const text = (m: string) => m.replace(/^error: /, '');
  if (err instanceof CommanderError) return { ...ending, json: { error: { code: 'usage', message: text(err.message) } } };
  if (err instanceof ApiError) {
    const details = Object.keys(err.details).length > 0 ? { details: err.details } : {};
    return { ...ending, json: { error: { code: err.code, message: err.message, ...details } } };
  }
  if (err instanceof SlipwayError) {
    const details = Object.keys(err.details).length > 0 ? { details: err.details } : {};
    return { ...ending, json: { error: { code: err.code, message: err.message, ...details } } };
  }
  if (err instanceof Error && err.name === 'SettingsError') return { ...ending, json: { error: { code: 'invalid_settings', message: err.message } } };
  return { ...ending, json: { error: { code: 'failed', message: text(ending.message) } } };
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
