// A service's logs (GET /services/{id}/logs), demultiplexed by our own code, as lines.
import type { EngineClient } from '../engine/engine-client.js';
import { demuxLines, type EngineStream } from '../engine/log-demux.js';

export interface LogOptions {
  follow?: boolean;
  /** Unix seconds or an RFC 3339 time. */
  since?: string | number;
  tail?: number | 'all';
  timestamps?: boolean;
  signal?: AbortSignal;
}

export interface ServiceLogLine {
  service: string;
  /** The task that wrote the line, when the Engine said so. */
  taskId: string | null;
  stream: EngineStream;
  /** With `timestamps`: when the Engine received the line (RFC 3339, UTC, milliseconds). */
  time: string | null;
  text: string;
}

/** With `timestamps`, each line starts with the time ("2026-12-02T16:45:04.123456789Z "), before the details. */
function splitTime(line: string): { time: string | null; rest: string } {
  const m = /^(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)) (.*)$/s.exec(line);
  const ms = m?.[1] ? Date.parse(m[1]) : NaN;
  // Milliseconds, as the process driver's lines: one format for every driver.
  return m && Number.isFinite(ms) ? { time: new Date(ms).toISOString(), rest: m[2] ?? '' } : { time: null, rest: line };
}

/** With `details`, each line starts with "com.docker.swarm.node.id=…,com.docker.swarm.service.id=…,com.docker.swarm.task.id=… ". */
function splitDetails(line: string): { taskId: string | null; text: string } {
  const m = /^((?:[\w.-]+=[^, ]*,?)+) (.*)$/s.exec(line);
  if (!m || !m[1]?.includes('com.docker.swarm.')) return { taskId: null, text: line };
  const task = /com\.docker\.swarm\.task\.id=([^, ]+)/.exec(m[1])?.[1] ?? null;
  return { taskId: task, text: m[2] ?? '' };
}

export async function* serviceLogs(engine: EngineClient, service: { id: string; name: string }, opts: LogOptions = {}): AsyncGenerator<ServiceLogLine> {
  const res = await engine.stream({
    method: 'GET',
    path: `/services/${encodeURIComponent(service.id)}/logs`,
    query: {
      stdout: true,
      stderr: true,
      details: true,
      follow: opts.follow ?? false,
      since: opts.since,
      tail: opts.tail === undefined ? 'all' : String(opts.tail),
      timestamps: opts.timestamps ?? false,
    },
    signal: opts.signal,
  });
  try {
    for await (const e of demuxLines(res)) {
      const { time, rest } = opts.timestamps ? splitTime(e.line) : { time: null, rest: e.line };
      const { taskId, text } = splitDetails(rest);
      yield { service: service.name, taskId, stream: e.stream, time, text };
    }
  } finally {
    res.destroy();
  }
}

/** Several services' logs interleaved as they arrive (for `slipway logs APP ENV --follow`). */
export async function* mergeLogs(sources: AsyncGenerator<ServiceLogLine>[]): AsyncGenerator<ServiceLogLine> {
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<ServiceLogLine> }>>();
  const next = (i: number) => pending.set(i, (sources[i] as AsyncGenerator<ServiceLogLine>).next().then((r) => ({ i, r })));
  sources.forEach((_, i) => next(i));
  try {
    while (pending.size > 0) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) pending.delete(i);
      else {
        next(i);
        yield r.value;
      }
    }
  } finally {
    await Promise.all(sources.map((s) => s.return(undefined)));
  }
}
