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
        `"durationMs":${millis(e.durationMs)},"upstream":${this.upstream.of(e.upstream)},` +
        `"route":${this.route.of(e.route)}}\n`,
    );
  }
}

// ".001" ... ".999" without trailing zeros ("" for 0): milliseconds with three decimals are printed
// from integers, as the number itself would print, without a double-to-string conversion per line.
const FRACTIONS: string[] = [''];
for (let i = 1; i < 1000; i++) FRACTIONS.push(`.${String(i).padStart(3, '0')}`.replace(/0+$/, ''));

/** `ms` rounded to microseconds, as `${Math.round(ms * 1000) / 1000}` prints it. */
export function millis(ms: number): string {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us < 2 ** 52)) return String(us / 1000);
  const whole = Math.floor(us / 1000);
  return `${whole}${FRACTIONS[us - whole * 1000] as string}`;
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
