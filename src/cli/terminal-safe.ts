// Text from the server (commit subjects, lock reasons, notes, app output) is written to a
// terminal: control characters in it could move the cursor, rewrite earlier lines, set the
// window title or hide text. Every human-readable line goes through `terminalSafe`, which shows
// such characters as visible escapes instead. (--json output is safe already: JSON escapes them.)

// C0 controls but tab and newline, DEL, C1 controls, and the Unicode bidirectional overrides and
// isolates that reorder what a reader sees ("Trojan Source").
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * JSON text with the same characters written as `\uXXXX` escapes: JSON.stringify escapes only
 * C0 controls, and these can only occur inside strings, so the result parses to the same value.
 */
export function jsonTerminalSafe(json: string): string {
  return json.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
