// A progress line on stderr every few seconds while a long call (a dump, an upload, a drill) runs.
import type { CliContext } from './context.js';

export async function whileWaiting<T>(ctx: CliContext, label: string, call: Promise<T>, everyMs = 5000): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => ctx.err(`${label}... ${Math.round((Date.now() - started) / 1000)} s`), everyMs);
  try {
    return await call;
  } finally {
    clearInterval(timer);
  }
}
