// One authenticated HTTP exchange with the control plane: JSON in, JSON (or a stream) out,
// non-2xx turned into ApiError and network failures into ServerUnreachableError.
// Uses Node's built-in fetch (undici inside), which costs nothing to load until first used:
// importing the undici package itself would add most of a second to every CLI start.
import type { Readable } from 'node:stream';
import type { Sensitive } from '../core/sensitive.js';
import { ApiError } from './api-error.js';
import { ndjsonValues } from './ndjson.js';
import { ServerUnreachableError } from './server-unreachable.js';

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface CallOptions {
  query?: Query;
  /** A JSON body. */
  json?: unknown;
  /** A raw body (uploads), streamed with `contentType`. */
  raw?: { body: Readable; contentType: string };
  signal?: AbortSignal;
  /** Milliseconds without body data before the exchange fails; default 5 minutes. */
  bodyTimeoutMs?: number;
}

/** A progress line of a long operation, or a heartbeat with the time it has run. */
export type ProgressEvent = { line: string } | { elapsedMs: number };

const HEADERS_TIMEOUT_MS = 120_000;

export class HttpCaller {
  constructor(
    readonly baseUrl: string,
    private readonly token: Sensitive,
  ) {}

  async json<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    return this.parse<T>(await this.open(method, path, opts), method, path);
  }

  private async parse<T>(opened: Opened, method: string, path: string): Promise<T> {
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of body(opened)) text += decoder.decode(chunk, { stream: true });
    text += decoder.decode();
    if (opened.res.status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(opened.res.status, 'invalid_response', `the server at ${this.baseUrl} answered ${method} ${path} with something that is not JSON; is SLIPWAY_URL pointing at a Slipway server?`);
    }
  }

  /**
   * A long operation with progress (`?progress=1`, see src/http/progress-stream.ts): progress lines
   * and heartbeats go to `onProgress` as they arrive; resolves with the final result, rejects with
   * the ApiError the server streamed. A quick operation answers plain JSON, handled the same way.
   */
  async withProgress<T>(method: string, path: string, opts: CallOptions, onProgress: (event: ProgressEvent) => void): Promise<T> {
    const opened = await this.open(method, path, { ...opts, query: { ...opts.query, progress: 1 } });
    if (!(opened.res.headers.get('content-type') ?? '').startsWith('application/x-ndjson')) {
      return this.parse<T>(opened, method, path);
    }
    for await (const value of ndjsonValues(body(opened))) {
      const e = value as { progress?: string; elapsedMs?: number; result?: T; error?: unknown; status?: number };
      if (typeof e.progress === 'string') onProgress({ line: e.progress });
      else if (typeof e.elapsedMs === 'number') onProgress({ elapsedMs: e.elapsedMs });
      else if ('result' in e) return e.result as T;
      else if (e.error) throw ApiError.fromStreamed(e);
    }
    throw new ApiError(502, 'invalid_response', `the server at ${this.baseUrl} ended ${method} ${path} without a result; check \`slipway backups list\` for what was done`);
  }

  /** The response body as it arrives; fails when no data comes for `bodyTimeoutMs`. */
  async *stream(method: string, path: string, opts: CallOptions = {}): AsyncGenerator<Uint8Array> {
    yield* body(await this.open(method, path, opts));
  }

  private async open(method: string, path: string, opts: CallOptions): Promise<Opened> {
    const url = this.baseUrl + path + queryString(opts.query);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token.reveal()}`, accept: 'application/json' };
    let body: string | Readable | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.raw) {
      headers['content-type'] = opts.raw.contentType;
      body = opts.raw.body;
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onAbort);
    const idle = idleTimer(controller, opts.bodyTimeoutMs ?? 300_000);
    const done = () => {
      idle.stop();
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const headersTimer = setTimeout(() => controller.abort(new Error(`no answer within ${HEADERS_TIMEOUT_MS / 1000}s`)), HEADERS_TIMEOUT_MS);
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, signal: controller.signal, ...(typeof body === 'object' ? { duplex: 'half' as const } : {}) });
    } catch (err) {
      done();
      if (opts.signal?.aborted) throw err;
      throw unreachable(this.baseUrl, controller.signal.aborted ? controller.signal.reason : err);
    } finally {
      clearTimeout(headersTimer);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      done();
      throw ApiError.fromBody(res.status, text);
    }
    return { res, idle, done };
  }
}

interface Opened {
  res: Response;
  idle: ReturnType<typeof idleTimer>;
  done: () => void;
}

async function* body({ res, idle, done }: Opened): AsyncGenerator<Uint8Array> {
  const reader = res.body?.getReader();
  let ended = false;
  try {
    if (!reader) return;
    for (;;) {
      idle.arm();
      const chunk = await reader.read();
      if (chunk.done) {
        ended = true;
        return;
      }
      yield chunk.value;
    }
  } finally {
    done();
    // A consumer that stops early must not leave the connection open.
    if (reader && !ended) void reader.cancel().catch(() => {});
  }
}

/** Aborts the exchange when it is armed and not re-armed within `ms`. */
function idleTimer(controller: AbortController, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  return {
    arm() {
      clearTimeout(timer);
      if (ms > 0) timer = setTimeout(() => controller.abort(new Error(`no data for ${Math.round(ms / 1000)}s`)), ms);
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

export function unreachable(baseUrl: string, err: unknown): ServerUnreachableError {
  const cause = err as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const code = typeof cause.code === 'string' ? cause.code : typeof cause.cause?.code === 'string' ? cause.cause.code : '';
  const why = code === 'ECONNREFUSED' ? 'connection refused' : code || String(cause.cause?.message ?? cause.message ?? err);
  return new ServerUnreachableError(
    `cannot reach the Slipway server at ${baseUrl} (${why}): is it running? Start one with \`slipway server\` or check SLIPWAY_URL`,
    { url: baseUrl, code },
  );
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}
