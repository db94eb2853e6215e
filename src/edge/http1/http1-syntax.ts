// The bits of HTTP/1.1 field grammar both head parsers use (RFC 9110 5.6): tchar and the decimal
// length of Content-Length.

/** 1 for the bytes a token (a method or field name) may hold: tchar. */
export const TOKEN_CHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TOKEN_CHAR[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TOKEN_CHAR[c] = 1;
for (let c = 65; c <= 90; c++) TOKEN_CHAR[c] = 1;
for (let c = 97; c <= 122; c++) TOKEN_CHAR[c] = 1;

/** Whether `s` is a non-empty token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (TOKEN_CHAR[s.charCodeAt(i)] !== 1) return false;
  return true;
}

/** Decimal digits only (no sign, no spaces inside), as a safe integer; -1 otherwise. */
export function parseLength(value: string): number {
  if (value.length === 0 || value.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
