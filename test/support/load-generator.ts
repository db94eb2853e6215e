// Continuous GET load for end-to-end tests: keep-alive connections through undici, counts of
// every answer body (to assert which version answered), failures with a sample. Always bounded.
import { Pool } from 'undici';

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  concurrency: number;
  signal?: AbortSignal;
  /** Stops by itself after this long (default 120 s). */
  maxDurationMs?: number;
  /** Stops by itself after this many requests (default unlimited). */
  maxRequests?: number;
  /** Failures kept in the report (default 20). */
  failureSampleSize?: number;
  /** Bodies are counted by their first this many characters (default 200). */
  bodyKeyLength?: number;
}

export interface LoadFailure {
  atMs: number;
  status?: number;
  error?: string;
  body?: string;
}

export interface LoadReport {
  total: number;
  ok: number;
  failures: number;
  failureSamples: LoadFailure[];
  /** Answer body -> count, successful answers only. */
  bodies: Record<string, number>;
  /** Same, for requests sent after the last mark() (empty when never marked). */
  bodiesAfterMark: Record<string, number>;
  failuresAfterMark: number;
  durationMs: number;
  requestsPerSecond: number;
  /** Why it stopped: "stopped", "maxDuration", "maxRequests" or "aborted". */
  reason: string;
}

export interface RunningLoad {
  /** Requests completed so far. */
  readonly completed: number;
  /** From now on, answers are also counted in bodiesAfterMark (by request start time). */
  mark(): void;
  /** Answers (successful or not) to requests sent after the last mark() so far. */
  readonly answeredAfterMark: number;
  /** Resolves when the load stops by itself (duration, request limit, signal). */
  readonly done: Promise<LoadReport>;
  stop(): Promise<LoadReport>;
}

export function startLoad(opts: LoadOptions): RunningLoad {
  const target = new URL(opts.url);
  const path = `${target.pathname}${target.search}`;
  const pool = new Pool(target.origin, { connections: opts.concurrency, pipelining: 1 });
  const maxDuration = opts.maxDurationMs ?? 120_000;
  const maxRequests = opts.maxRequests ?? Number.POSITIVE_INFINITY;
  const sampleSize = opts.failureSampleSize ?? 20;
  const keyLength = opts.bodyKeyLength ?? 200;
  const started = performance.now();
  const state = {
    sent: 0,
    total: 0,
    ok: 0,
    failures: 0,
    failuresAfterMark: 0,
    samples: [] as LoadFailure[],
    bodies: new Map<string, number>(),
    bodiesAfterMark: new Map<string, number>(),
    markAt: Number.POSITIVE_INFINITY,
    answeredAfterMark: 0,
    running: true,
    reason: 'stopped',
  };
  const halt = (reason: string) => {
    if (!state.running) return;
    state.running = false;
    state.reason = reason;
  };
  const timer = setTimeout(() => halt('maxDuration'), maxDuration);
  const onAbort = () => halt('aborted');
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const fail = (f: Omit<LoadFailure, 'atMs'>, sentAt: number) => {
    state.failures++;
    if (sentAt >= state.markAt) state.failuresAfterMark++;
    if (state.samples.length < sampleSize) state.samples.push({ atMs: Math.round(performance.now() - started), ...f });
  };

  const worker = async () => {
    while (state.running) {
      if (state.sent >= maxRequests) return halt('maxRequests');
      state.sent++;
      const sentAt = performance.now();
      try {
        const res = await pool.request({ method: 'GET', path, headers: opts.headers });
        const body = await res.body.text();
        if (res.statusCode >= 200 && res.statusCode < 300) {
          state.ok++;
          const key = body.slice(0, keyLength);
          state.bodies.set(key, (state.bodies.get(key) ?? 0) + 1);
          if (sentAt >= state.markAt) state.bodiesAfterMark.set(key, (state.bodiesAfterMark.get(key) ?? 0) + 1);
        } else {
          fail({ status: res.statusCode, body: body.slice(0, keyLength) }, sentAt);
        }
      } catch (err) {
        fail({ error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }, sentAt);
      }
      state.total++;
      if (sentAt >= state.markAt) state.answeredAfterMark++;
    }
  };
  const workers = Array.from({ length: opts.concurrency }, () => worker());

  const finish = async (): Promise<LoadReport> => {
    await Promise.all(workers);
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    await pool.close();
    const durationMs = performance.now() - started;
    return {
      total: state.total,
      ok: state.ok,
      failures: state.failures,
      failureSamples: state.samples,
      bodies: Object.fromEntries(state.bodies),
      bodiesAfterMark: Object.fromEntries(state.bodiesAfterMark),
      failuresAfterMark: state.failuresAfterMark,
      durationMs: Math.round(durationMs),
      requestsPerSecond: Math.round((state.total / durationMs) * 1000),
      reason: state.reason,
    };
  };
  const done = finish();
  return {
    get completed() {
      return state.total;
    },
    mark() {
      state.markAt = performance.now();
      state.answeredAfterMark = 0;
    },
    get answeredAfterMark() {
      return state.answeredAfterMark;
    },
    done,
    stop() {
      halt('stopped');
      return done;
    },
  };
}
