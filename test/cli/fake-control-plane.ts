// A stand-in for the control plane over real HTTP (node:http on port 0): it answers the API
// contract with canned JSON the test sets up, and records every request it received.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (req: Received, res: ServerResponse) => void | Promise<void>;

export class FakeControlPlane {
  readonly received: Received[] = [];
  readonly #routes = new Map<string, Handler>();

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    readonly token: string,
  ) {}

  static async start(token = 'test-token-123'): Promise<FakeControlPlane> {
    let self: FakeControlPlane | undefined;
    const server = http.createServer((req, res) => {
      void self?.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new FakeControlPlane(server, `http://127.0.0.1:${port}`, token);
    return self;
  }

  /** Answers `METHOD /path` (no query) with `handler`. */
  on(method: string, path: string, handler: Handler): this {
    this.#routes.set(`${method} ${path}`, handler);
    return this;
  }

  /** Answers `METHOD /path` with a status and a JSON body. */
  reply(method: string, path: string, status: number, body?: unknown): this {
    return this.on(method, path, (_req, res) => sendJson(res, status, body));
  }

  requestsTo(method: string, path: string): Received[] {
    return this.received.filter((r) => r.method === method && r.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const rec: Received = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks) };
    this.received.push(rec);
    if (rec.path.startsWith('/api/') && rec.path !== '/api/openapi.json' && req.headers.authorization !== `Bearer ${this.token}`) {
      return sendJson(res, 401, { error: { code: 'unauthorized', message: 'a valid bearer token is required (Authorization: Bearer <token>)', details: {} } });
    }
    const handler = this.#routes.get(`${rec.method} ${rec.path}`);
    if (!handler) return sendJson(res, 404, { error: { code: 'not_found', message: `no route ${rec.method} ${rec.path}`, details: {} } });
    await handler(rec, res);
  }
}

export function sendJson(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

export function apiError(status: number, code: string, message: string) {
  return [status, { error: { code, message, details: {} } }] as const;
}
