// Collects access log lines and hands them to the real sink in batches of about 16 KB, so the
// request path costs a string append instead of a write (and a file system call) per request.
// Whoever owns it calls flush() on a timer and before closing; lines are never split.
import type { AccessLogSink } from './access-log.js';

const BATCH_CHARS = 16_000;

export class BatchedSink implements AccessLogSink {
  private pending = '';

  constructor(
    private readonly sink: AccessLogSink,
    private readonly batchChars = BATCH_CHARS,
  ) {}

  write(line: string): void {
    this.pending += line;
    if (this.pending.length >= this.batchChars) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = '';
    this.sink.write(batch);
  }
}
