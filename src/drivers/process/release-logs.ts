// `slipway logs` for the process driver: the output files the supervisor writes per instance
// (<run dir>/logs/<process>.<index>.log), from the last N lines, then followed by polling their
// size (a rotated file, smaller or replaced, is read again from its start). Each line carries the
// time the supervisor read it (instance-log-line.ts), which `--since` filters on.
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import type { RuntimeLogLine, RuntimeLogQuery } from '../../core/ports/runtime-driver.js';
import { pause } from '../../platform/clock.js';
import { parseInstanceLogLine } from './instance-log-line.js';

const INSTANCE_LOG = /^([A-Za-z0-9_-]+)\.(\d+)\.log$/;
const BLOCK = 64 * 1024;

interface Cursor {
  file: string;
  service: string;
  instance: string;
  offset: number;
  ino: number;
  partial: string;
}

/** Throws before any output for a query it cannot answer (a `since` that is not a time). */
export function releaseLogs(runDir: string, query: RuntimeLogQuery, pollMs = 250): AsyncGenerator<RuntimeLogLine> {
  const sinceMs = query.since === undefined ? null : parseSince(query.since);
  return readLogs(runDir, query, sinceMs, pollMs);
}

/** RFC 3339 time or Unix seconds, as `docker logs --since` takes them. */
function parseSince(since: string): number {
  const ms = /^\d+(\.\d+)?$/.test(since) ? Number(since) * 1000 : /^\d{4}-\d\d-\d\dT/.test(since) ? Date.parse(since) : NaN;
  if (!Number.isFinite(ms)) throw new InvalidInputError(`--since ${since}: expected an RFC 3339 time (2026-12-02T16:45:00Z) or Unix seconds`);
  return ms;
}

async function* readLogs(runDir: string, query: RuntimeLogQuery, sinceMs: number | null, pollMs: number): AsyncGenerator<RuntimeLogLine> {
  const dir = path.join(runDir, 'logs');
  const cursors = new Map<string, Cursor>();
  let first = true;
  while (!query.signal.aborted) {
    for (const name of (await readdir(dir).catch(() => [] as string[])).sort()) {
      const m = INSTANCE_LOG.exec(name);
      if (!m || cursors.has(name) || (query.service && m[1] !== query.service)) continue;
      const file = path.join(dir, name);
      const st = await stat(file).catch(() => null);
      if (!st) continue;
      // Files present at the start begin at their last `tail` lines; ones that appear later (a
      // restarted instance) from their start.
      const offset = first && query.tail !== undefined ? await tailOffset(file, st.size, query.tail) : 0;
      cursors.set(name, { file, service: m[1] ?? name, instance: m[2] ?? '0', offset, ino: st.ino, partial: '' });
    }
    if (first && query.service && cursors.size === 0) {
      throw new InvalidInputError(`the live release has no process "${query.service}" with output; check the name with \`slipway status APP\``);
    }
    for (const c of cursors.values()) {
      for (const raw of await readNew(c, !query.follow)) {
        const line = parseInstanceLogLine(raw);
        // Lines without a time (files written before lines were stamped) are older than any `since`.
        if (sinceMs !== null && (line.time === null || Date.parse(line.time) < sinceMs)) continue;
        yield { service: c.service, instance: c.instance, ...line };
      }
    }
    first = false;
    if (!query.follow) return;
    await pause(pollMs, query.signal);
  }
}

/** New complete lines since the cursor; at the end (`flush`) also an unterminated last line. */
async function readNew(c: Cursor, flush: boolean): Promise<string[]> {
  const st = await stat(c.file).catch(() => null);
  if (!st) return [];
  if (st.ino !== c.ino || st.size < c.offset) {
    c.ino = st.ino;
    c.offset = 0;
    c.partial = '';
  }
  const lines: string[] = [];
  if (st.size > c.offset) {
    const fh = await open(c.file, 'r');
    try {
      const buf = Buffer.alloc(Math.min(st.size - c.offset, 4 * 1024 * 1024));
      const { bytesRead } = await fh.read(buf, 0, buf.length, c.offset);
      c.offset += bytesRead;
      const parts = (c.partial + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
      c.partial = parts.pop() ?? '';
      lines.push(...parts);
    } finally {
      await fh.close();
    }
  }
  if (flush && c.partial) {
    lines.push(c.partial);
    c.partial = '';
  }
  return lines;
}

/** Where the last `n` lines of a file start (0 when it has fewer). */
async function tailOffset(file: string, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  const fh = await open(file, 'r');
  try {
    let end = size;
    let newlines = 0;
    // A final newline ends the last line; it does not start another.
    let skipLast = true;
    while (end > 0) {
      const start = Math.max(0, end - BLOCK);
      const buf = Buffer.alloc(end - start);
      await fh.read(buf, 0, buf.length, start);
      for (let i = buf.length - 1; i >= 0; i--) {
        if (buf[i] !== 0x0a) {
          skipLast = false;
          continue;
        }
        if (skipLast) {
          skipLast = false;
          continue;
        }
        if (++newlines === n) return start + i + 1;
      }
      end = start;
    }
    return 0;
  } finally {
    await fh.close();
  }
}
