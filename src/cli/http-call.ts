// One authenticated HTTP exchange with the control plane: JSON in, JSON (or a stream) out,
// non-2xx turned into ApiError and network failures into ServerUnreachableError.
import type { Readable } from 'node:stream';
import { request } from 'undici';
import type { Sensitive } from '../core/sensitive.js';
import { ApiError } from './api-error.js';
import { ServerUnreachableError } from './server-unreachable.js';

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface CallOptions {
  query?: Query;
  /** A JSON body. */
  json?: unknown;
  /** A raw body (uploads), sent with `contentType`. */
  raw?: { body: Readable; contentType: string; length?: number };
  signal?: AbortSignal;
  /** Milliseconds without body data before the exchange fails (streams); default 5 minutes. */
  bodyTimeoutMs?: number;
}

export interface StreamResponse {
  contentType: string;
  body: AsyncIterable<Buffer | string>;
}

export class HttpCaller {
  constructor(
    readonly baseUrl: string,
    private readonly token: Sensitive,
  ) {}

  async json<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    const text = await res.body.text();
    if (res.statusCode === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.statusCode, 'invalid_response', `the server at ${this.baseUrl} answered ${method} ${path} with something that is not JSON; is SLIPWAY_URL pointing at a Slipway server?`);
    }
  }

  async stream(method: string, path: string, opts: CallOptions = {}): Promise<StreamResponse> {
    const res = await this.send(method, path, opts);
    const contentType = String(res.headers['content-type'] ?? '');
    return { contentType, body: res.body };
  }

  private async send(method: string, path: string, opts: CallOptions) {
    const url = this.baseUrl + path + queryString(opts.query);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token.reveal()}`, accept: 'application/json' };
    let body: string | Readable | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.raw) {
      headers['content-type'] = opts.raw.contentType;
      if (opts.raw.length !== undefined) headers['content-length'] = String(opts.raw.length);
      body = opts.raw.body;
    }
    let res;
    try {
      res = await request(url, {
        method: method as 'GET',
        headers,
        body,
        signal: opts.signal,
        headersTimeout: 120_000,
        bodyTimeout: opts.bodyTimeoutMs ?? 300_000,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw unreachable(this.baseUrl, err);
    }
    if (res.statusCode < 200 || res.statusCode > 299) {
      const text = await res.body.text().catch(() => '');
      throw ApiError.fromBody(res.statusCode, text);
    }
    return res;
  }
}

export function unreachable(baseUrl: string, err: unknown): ServerUnreachableError {
  const cause = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code = typeof cause.code === 'string' ? cause.code : typeof cause.cause?.code === 'string' ? cause.cause.code : '';
  const why = code === 'ECONNREFUSED' ? 'connection refused' : code || String(cause.message ?? err);
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
