// JSON columns are stored as text and parsed on read.
import { SlipwayError } from '../core/errors.js';

export function toJsonColumn(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function fromJsonColumn<T>(text: string, column: string, fallback: T): T {
  if (text === '' || text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new SlipwayError(
      'internal',
      `the state database holds invalid JSON in column ${column}; restore the data dir from a backup or fix the row by hand`,
      { column },
    );
  }
}
