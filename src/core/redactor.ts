// Value-based redaction: every known secret value is replaced wherever it appears in text.
import { REDACTION } from './sensitive.js';

/** Values shorter than this are not redacted (too likely to mangle ordinary text). */
export const MIN_REDACTED_LENGTH = 4;

export class Redactor {
  readonly #values = new Set<string>();
  #pattern: RegExp | undefined;

  constructor(values: Iterable<string> = []) {
    for (const v of values) this.add(v);
  }

  add(value: string): void {
    if (value.length < MIN_REDACTED_LENGTH || this.#values.has(value)) return;
    this.#values.add(value);
    // Common encodings of the value leak it too.
    const variants = [encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];
    for (const v of variants) if (v.length >= MIN_REDACTED_LENGTH) this.#values.add(v);
    this.#pattern = undefined;
  }

  get size(): number {
    return this.#values.size;
  }

  redact(text: string): string {
    if (this.#values.size === 0) return text;
    this.#pattern ??= new RegExp(
      [...this.#values]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    return text.replace(this.#pattern, REDACTION);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
