// Reads a secret value without it ever being an argv argument: from a file, from piped stdin,
// or typed at a terminal with echo off.
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../core/errors.js';
import { Sensitive } from '../core/sensitive.js';
import type { CliIo } from './context.js';

const MAX_BYTES = 1024 * 1024;

export async function readSecretValue(io: CliIo, opts: { fromFile?: string; prompt: string }): Promise<Sensitive> {
  let text: string;
  if (opts.fromFile) {
    text = await readFile(opts.fromFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new InvalidInputError(`--value-from-file ${opts.fromFile}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    });
  } else if (io.stdin.isTTY && io.stdin.setRawMode) {
    text = await readHidden(io, opts.prompt);
  } else {
    text = await readAll(io.stdin);
  }
  const value = text.replace(/\r?\n$/, ''); // the newline that `echo` and editors add
  if (Buffer.byteLength(value) > MAX_BYTES) throw new InvalidInputError('the secret value is larger than 1 MiB');
  if (value === '') {
    throw new InvalidInputError('the secret value is empty: pipe it in (`printf %s "$VALUE" | slipway secrets set APP NAME`) or use --value-from-file FILE');
  }
  return new Sensitive(value);
}

async function readAll(stream: CliIo['stdin']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_BYTES) throw new InvalidInputError('the secret value is larger than 1 MiB');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A line typed at the terminal, not echoed. Ctrl-C aborts, Ctrl-D or Enter ends it. */
function readHidden(io: CliIo, prompt: string): Promise<string> {
  const stdin = io.stdin;
  io.stderr.write(prompt);
  stdin.setRawMode?.(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\u0003') return finish(new InvalidInputError('cancelled: no secret was set'));
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
