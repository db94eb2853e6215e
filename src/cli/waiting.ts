// Progress of a long server-side operation (a dump, an upload, a restore drill) on stderr: each
// progress line the server streams, and "<label>... N s" when it only sends a heartbeat.
import type { CliContext } from './context.js';
import type { ProgressEvent } from './http-call.js';

export function progressLines(ctx: CliContext, label: string): (e: ProgressEvent) => void {
  return (e) => {
    if ('line' in e) ctx.err(e.line);
    else ctx.err(`${label}... ${Math.round(e.elapsedMs / 1000)} s`);
  };
}
