// One JSON line per request. Paths are logged without their query; headers are never logged.

export interface AccessLogSink {
  write(line: string): unknown;
}

export interface AccessEntry {
  requestId: string;
  method: string;
  /** "HTTP/1.1", "HTTP/1.0" or "HTTP/2". */
  protocol: string;
  host: string;
  path: string;
  status: number;
  durationMs: number;
  upstream: string | null;
  route: string | null;
}

export class AccessLog {
  private lastMs = 0;
  private lastIso = '';

  constructor(private readonly sink: AccessLogSink) {}

  write(e: AccessEntry): void {
    const now = Date.now();
    if (now !== this.lastMs) {
      this.lastMs = now;
      this.lastIso = new Date(now).toISOString();
    }
    this.sink.write(
      `{"time":"${this.lastIso}","requestId":${JSON.stringify(e.requestId)},"method":${JSON.stringify(e.method)},` +
        `"protocol":"${e.protocol}","host":${JSON.stringify(e.host)},"path":${JSON.stringify(e.path)},"status":${e.status},` +
        `"durationMs":${Math.round(e.durationMs * 1000) / 1000},"upstream":${JSON.stringify(e.upstream)},` +
        `"route":${JSON.stringify(e.route)}}\n`,
    );
  }
}
