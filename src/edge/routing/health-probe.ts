// One health check request, and the gate a new target must pass before it takes traffic.
import { PreconditionError } from '../../core/errors.js';
import type { EdgeHealthCheck } from '../../core/ports/edge-control.js';
import type { UpstreamTarget } from '../proxy/upstream-target.js';

export interface ProbeResult {
  ok: boolean;
  /** "200", "503", "ECONNREFUSED", "timeout after 2000 ms" */
  detail: string;
}

/** GET `check.path` on the target; 2xx and 3xx are healthy. Never rejects. The result is noted on the target. */
export async function probe(target: UpstreamTarget, check: EdgeHealthCheck): Promise<ProbeResult> {
  const result = await request(target, check);
  target.noteCheck(result.ok, result.detail);
  return result;
}

async function request(target: UpstreamTarget, check: EdgeHealthCheck): Promise<ProbeResult> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), check.timeoutMs);
  try {
    const res = await target.pool.request({
      method: 'GET',
      path: check.path,
      headers: { 'user-agent': 'slipway-edge-health', accept: '*/*' },
      signal: abort.signal,
      headersTimeout: check.timeoutMs,
      bodyTimeout: check.timeoutMs,
    });
    await res.body.dump().catch(() => undefined);
    return { ok: res.statusCode >= 200 && res.statusCode < 400, detail: String(res.statusCode) };
  } catch (err) {
    if (abort.signal.aborted) return { ok: false, detail: `timeout after ${check.timeoutMs} ms` };
    const e = err as NodeJS.ErrnoException;
    return { ok: false, detail: e.code && !e.code.startsWith('UND_ERR') ? e.code : e.message };
  } finally {
    clearTimeout(timer);
  }
}

/** How long a new target may take to pass its check before a put gives up. */
export function healthDeadlineMs(check: EdgeHealthCheck, floorMs: number): number {
  return Math.max(floorMs, check.healthyThreshold * (check.intervalMs + check.timeoutMs) * 2);
}

/**
 * Probes until `healthyThreshold` consecutive successes, waiting `intervalMs` between probes.
 * Throws PreconditionError naming the target when the deadline passes or `signal` aborts.
 */
export async function waitUntilHealthy(
  target: UpstreamTarget,
  check: EdgeHealthCheck,
  deadlineMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const started = Date.now();
  let streak = 0;
  let attempts = 0;
  let last: ProbeResult = { ok: false, detail: 'not probed' };
  for (;;) {
    if (signal?.aborted) break;
    attempts++;
    last = await probe(target, check);
    streak = last.ok ? streak + 1 : 0;
    if (streak >= check.healthyThreshold) return;
    const elapsed = Date.now() - started;
    if (elapsed + check.intervalMs > deadlineMs) break;
    await new Promise((r) => setTimeout(r, check.intervalMs));
  }
  throw new PreconditionError(
    `target ${target.url} did not pass its health check (GET ${check.path} must answer 2xx/3xx ` +
      `${check.healthyThreshold} times in a row) within ${deadlineMs} ms: last result ${last.detail} ` +
      `after ${attempts} attempts; the route was not changed. Check that the process listens on ${target.url} ` +
      `and answers ${check.path}.`,
    { target: target.url, path: check.path, lastResult: last.detail, attempts, deadlineMs },
  );
}
