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
  // Most requests repeat the previous one's method, host, upstream and route: their JSON is kept.
  private readonly method = new LastJson();
  private readonly host = new LastJson();
  private readonly upstream = new LastJson();
  private readonly route = new LastJson();

  constructor(private readonly sink: AccessLogSink) {}

  write(e: AccessEntry): void {
    const now = Date.now();
    if (now !== this.lastMs) {
      this.lastMs = now;
      this.lastIso = new Date(now).toISOString();
    }
    this.sink.write(
      `{"time":"${this.lastIso}","requestId":${JSON.stringify(e.requestId)},"method":${this.method.of(e.method)},` +
        `"protocol":"${e.protocol}","host":${this.host.of(e.host)},"path":${JSON.stringify(e.path)},"status":${e.status},` +
        `"durationMs":${Math.round(e.durationMs * 1000) / 1000},"upstream":${this.upstream.of(e.upstream)},` +
        `"route":${this.route.of(e.route)}}\n`,
    );
  }
}

/** JSON.stringify of a value, redone only when it differs from the last one asked for. */
class LastJson {
  private last: string | null = null;
  private json = 'null';

  of(value: string | null): string {
    if (value !== this.last) {
      this.last = value;
      this.json = JSON.stringify(value);
    }
    return this.json;
  }
}
