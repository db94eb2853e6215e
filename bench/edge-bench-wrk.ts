// Runs wrk against a URL and reads requests/s and latency percentiles from its report.
import { run } from '../src/platform/exec.js';

export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Requests completed in the run (wrk's "N requests in"). */
  requests: number;
}

export async function wrkAvailable(): Promise<boolean> {
  try {
    const r = await run(['wrk', '--version']);
    return r.stdout.includes('wrk') || r.stderr.includes('wrk');
  } catch {
    return false;
  }
}

export async function runWrk(url: string, opts: { connections: number; threads: number; durationS: number; headers?: string[] }): Promise<WrkResult> {
  const argv = ['wrk', `-t${opts.threads}`, `-c${opts.connections}`, `-d${opts.durationS}s`, '--latency'];
  for (const h of opts.headers ?? []) argv.push('-H', h);
  argv.push(url);
  const r = await run(argv, { timeoutMs: (opts.durationS + 30) * 1000 });
  if (r.code !== 0) throw new Error(`wrk failed (${r.code}): ${r.stderr.trim()}`);
  return parseWrk(r.stdout);
}

export function parseWrk(out: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
  const requests = /(\d+) requests in/.exec(out)?.[1];
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s)\s*$/m.exec(out);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(out);
  if (!rps || !p50 || !p99 || !requests) throw new Error(`cannot read wrk output:\n${out}`);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const errors =
    (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return { requestsPerSecond: Number(rps), p50Ms: toMs(p50[1], p50[2]), p99Ms: toMs(p99[1], p99[2]), errors, requests: Number(requests) };
}

function toMs(value: string | undefined, unit: string | undefined): number {
  const v = Number(value);
  if (unit === 'us') return v / 1000;
  if (unit === 's') return v * 1000;
  return v;
}
