// An in-process control plane for the HTTP tests: `startServer` on a temp data dir with its log
// captured in memory, a real HTTP client with the admin token, and a cleanup that stops what it
// started (server, then the detached edge and release supervisors by their recorded pids).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { readSettings, type Settings } from '../../src/platform/env.js';
import { startServer, type HttpsParts, type RunningServer } from '../../src/server.js';
import { killDetached } from '../support/server-process.js';

export interface ApiResponse {
  status: number;
  contentType: string;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is (not JSON-encoded). */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  /** Default: the admin token; null sends no Authorization header. */
  token?: string | null;
}

export interface TestControlPlane {
  dataDir: string;
  url: string;
  edgeUrl: string | null;
  token: string;
  server: RunningServer;
  /** Every line the server logged so far. */
  logs(): string;
  /** Every response body this control plane sent through `request`. */
  responses: ApiResponse[];
  request(method: string, urlPath: string, opts?: RequestOptions): Promise<ApiResponse>;
  close(): Promise<void>;
}

export async function startControlPlane(opts: { edge?: boolean; https?: HttpsParts; dataDir?: string } = {}): Promise<TestControlPlane> {
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'slipway-http-')));
  let output = '';
  const sink = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      output += chunk.toString();
      done();
    },
  });
  // The defaults of an empty environment, with this test's data dir and free ports.
  const settings: Settings = {
    ...readSettings({}),
    dataDir,
    host: '127.0.0.1',
    port: 0,
    edgeHost: '127.0.0.1',
    edgePort: 0,
    edgeHttpsPort: 0,
    edgeMode: opts.edge ? 'auto' : 'off',
    logLevel: 'info',
  };

  let server: RunningServer;
  try {
    server = await startServer(settings, { output: sink, ...(opts.https ? { https: opts.https } : {}) });
  } catch (err) {
    await killDetached(dataDir);
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  // A data dir given by the caller may have been used before: its token is in admin.token.
  const token = server.firstToken ?? (opts.dataDir ? (await readFile(path.join(dataDir, 'admin.token'), 'utf8')).trim() : null);
  if (!token) throw new Error('a fresh data dir should give the first admin token');
  const responses: ApiResponse[] = [];
  let closed = false;
  return {
    dataDir,
    url: server.url,
    edgeUrl: server.edgeUrl,
    token,
    server,
    logs: () => output,
    responses,
    async request(method, urlPath, ro = {}) {
      const headers: Record<string, string> = { ...ro.headers };
      const auth = ro.token === undefined ? token : ro.token;
      if (auth !== null) headers['authorization'] ??= `Bearer ${auth}`;
      let body: string | Buffer | undefined;
      if (ro.rawBody !== undefined) body = ro.rawBody;
      else if (ro.body !== undefined) {
        body = JSON.stringify(ro.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${server.url}${urlPath}`, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(60_000) });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        json = undefined;
      }
      const out = { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json };
      responses.push(out);
      return out;
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await server.close();
      } finally {
        await killDetached(dataDir);
        // A data dir given by the caller is the caller's to remove.
        if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
