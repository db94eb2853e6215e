// Long operations (a dump, an upload, a restore drill) for a caller that asked for progress
// (`?progress=1`): as soon as there is a progress line, or after a few seconds without one, the
// response becomes an NDJSON stream of `{"progress": line}` and `{"elapsedMs": n}` heartbeats,
// ended by `{"result": ...}` or `{"error": {...}, "status": n}`. An operation that finishes (or
// fails, e.g. a missing backup) before that answers as a plain JSON request would. Everything
// written passes the redactor: the response hook does not see hijacked replies.
import type { FastifyReply } from 'fastify';
import { streamedErrorLine } from './error-handler.js';

export interface ProgressStreamOptions {
  redact(text: string): string;
  /** A heartbeat (and the switch to streaming) after this long without a line; default 5 s. */
  heartbeatMs?: number;
  /** Where an unexpected error is reported (its text stays out of the response). */
  onInternalError?(err: unknown): void;
}

export async function withProgress<T>(
  reply: FastifyReply,
  wanted: boolean,
  opts: ProgressStreamOptions,
  run: (log: (line: string) => void) => Promise<T>,
): Promise<T | undefined> {
  if (!wanted) return run(() => {});
  const started = Date.now();
  let streaming = false;
  let last = started;
  const write = (text: string) => {
    if (!streaming) {
      streaming = true;
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    }
    last = Date.now();
    if (!reply.raw.destroyed) reply.raw.write(text + '\n');
  };
  const every = opts.heartbeatMs ?? 5000;
  const timer = setInterval(() => {
    if (Date.now() - last >= every) write(JSON.stringify({ elapsedMs: Date.now() - started }));
  }, Math.max(50, Math.floor(every / 5)));
  try {
    const result = await run((line) => write(opts.redact(JSON.stringify({ progress: line }))));
    if (!streaming) return result;
    write(`{"result":${opts.redact(JSON.stringify(result ?? null))}}`);
  } catch (err) {
    if (!streaming) throw err;
    write(streamedErrorLine(err, opts.redact, (e) => opts.onInternalError?.(e)));
  } finally {
    clearInterval(timer);
    if (streaming) reply.raw.end();
  }
  return undefined;
}
