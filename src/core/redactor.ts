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
    for (const form of redactedForms(value)) if (form.length >= MIN_REDACTED_LENGTH) this.#values.add(form);
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

/** PEM armour ("-----BEGIN RSA PRIVATE KEY-----") says what a value is, not what it holds. */
const PEM_ARMOUR = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/;

/**
 * The value and the forms it takes in text that leaks it: JSON strings, util.inspect and other
 * backslash escapes, URL and form encoding; and, for a multi-line value (a PEM key), each of its
 * lines, since logs are written one line at a time.
 */
export function redactedForms(value: string): string[] {
  const forms = [value, encodeURIComponent(value), encodeURIComponent(value).replace(/%20/g, '+'), encodeURI(value)];
  forms.push(new URLSearchParams({ v: value }).toString().slice(2));
  forms.push(JSON.stringify(value).slice(1, -1));
  // util.inspect quotes with ', " or ` (whichever the value lacks) and escapes only that quote.
  for (const quote of ['', "'", '"']) forms.push(backslashEscaped(value, quote));
  if (/[\r\n]/.test(value)) {
    for (const raw of value.split(/\r?\n|\r/)) {
      const line = raw.trim();
      if (line.length >= MIN_LINE_LENGTH && !PEM_ARMOUR.test(line)) forms.push(line);
    }
  }
  return [...new Set(forms)];
}

/** Lines of a multi-line value shorter than this are left alone (a PEM body line is 64). */
const MIN_LINE_LENGTH = 8;

/** As util.inspect and most languages' string literals escape: backslash, controls, and the quote. */
function backslashEscaped(value: string, quote: string): string {
  const escapes: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  if (quote) escapes[quote] = `\\${quote}`;
  return value.replace(/[\\'"\n\r\t]/g, (c) => escapes[c] ?? c);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
