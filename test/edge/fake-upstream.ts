// A real HTTP server on port 0 standing in for an app release in the edge tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUpstream {
  name: string;
  url: string;
  port: number;
  healthy: boolean;
  /** Requests answered, health checks excluded. */
  served: number;
  last: { method: string; url: string; headers: http.IncomingHttpHeaders } | undefined;
  close(): Promise<void>;
}

/**
 * Answers its `name` as body. `/health` answers 200 or 503 per `healthy`; `/slow?ms=N` answers
 * after N ms; `/echo...` answers JSON {url, method, headers}; `/hang` never answers; `/body`
 * answers "<method> <content-length or chunked> <body>".
 */
export async function startUpstream(name: string): Promise<FakeUpstream> {
  const sockets = new Set<import('node:net').Socket>();
  const up: FakeUpstream = {
    name,
    url: '',
    port: 0,
    healthy: true,
    served: 0,
    last: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/health') {
      res.writeHead(up.healthy ? 200 : 503).end(up.healthy ? 'ok' : 'unhealthy');
      return;
    }
    up.served++;
    up.last = { method: req.method ?? '', url, headers: req.headers };
    if (url.startsWith('/slow')) {
      const ms = Number(new URL(url, 'http://x').searchParams.get('ms') ?? '500');
      const t = setTimeout(() => res.end(name), ms);
      res.on('close', () => clearTimeout(t));
      return;
    }
    if (url.startsWith('/hang')) return;
    if (url.startsWith('/body')) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.end(`${req.method} ${req.headers['content-length'] ?? 'chunked'} ${Buffer.concat(chunks).toString()}`));
      return;
    }
    if (url.includes('echo')) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ name, url, method: req.method, headers: req.headers }));
      return;
    }
    res.end(name);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket) => {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${req.headers.upgrade}\r\nConnection: Upgrade\r\nX-Upstream: ${name}\r\n\r\n`);
    socket.on('data', (d: Buffer) => socket.write(`${name}:${d.toString()}`));
    socket.on('error', () => socket.destroy());
    sockets.add(socket as import('node:net').Socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  up.port = (server.address() as AddressInfo).port;
  up.url = `http://127.0.0.1:${up.port}`;
  return up;
}

/** A port that refuses connections: opened, closed, returned. */
export async function deadPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
