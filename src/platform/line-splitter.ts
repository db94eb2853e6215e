// Splits a process's output into lines as it arrives: "\n", "\r\n" and a lone "\r" (progress
// bars redraw with it) end a line. A line longer than `maxLine` characters is cut there, so a
// program that never prints a newline cannot make us hold its whole output.
import type { Readable } from 'node:stream';

const MAX_LINE = 64 * 1024;

export class LineSplitter {
  readonly #onLine: (line: string) => void;
  readonly #maxLine: number;
  #partial = '';
  #afterCr = false;

  constructor(onLine: (line: string) => void, maxLine = MAX_LINE) {
    this.#onLine = onLine;
    this.#maxLine = maxLine;
  }

  push(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 && this.#afterCr && i === start && this.#partial === '') {
        // the "\n" of a "\r\n" whose "\r" ended the previous line
        start = i + 1;
      } else if (c === 10 || c === 13) {
        this.#onLine(this.#partial + text.slice(start, i));
        this.#partial = '';
        start = i + 1;
      }
      this.#afterCr = c === 13;
    }
    this.#partial += text.slice(start);
    while (this.#partial.length > this.#maxLine) {
      this.#onLine(this.#partial.slice(0, this.#maxLine));
      this.#partial = this.#partial.slice(this.#maxLine);
    }
  }

  /** Emits the last line when the output did not end with a newline. */
  end(): void {
    if (this.#partial !== '') this.#onLine(this.#partial);
    this.#partial = '';
  }
}

/** Feeds a readable (decoded as UTF-8) to `onLine` line by line until it ends. */
export function readLines(stream: Readable, onLine: (line: string) => void): void {
  const splitter = new LineSplitter(onLine);
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => splitter.push(chunk));
  stream.on('end', () => splitter.end());
}
