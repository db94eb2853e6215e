// One HTTP health probe of an instance on loopback: 2xx/3xx within the timeout is healthy.
import http from 'node:http';

export interface ProbeResult {
  ok: boolean;
  /** The instance answered with an HTTP status (healthy or not); false: refused, reset or timed out. */
  answered: boolean;
  /** "HTTP 500", "ECONNREFUSED", "timed out after 1000ms". */
  detail: string;
}

export function probeHealth(port: number, pathname: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve({ ok: status >= 200 && status < 400, answered: true, detail: `HTTP ${status}` });
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs}ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, answered: false, detail: err.code ?? err.message }));
  });
}
