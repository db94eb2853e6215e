// A git smart-HTTP server for tests: node's http server on 127.0.0.1:0 in front of
// `git http-backend` (CGI, spawned from argv per request), requiring one Basic-auth credential.
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpGitServer {
  /** e.g. http://127.0.0.1:PORT/ ; repositories are `${base}${name}` for repos under `root`. */
  base: string;
  /** Authorization headers seen, in order (to assert what the client sent). */
  authHeaders: string[];
  close(): Promise<void>;
}

export async function startHttpGitServer(root: string, user: string, token: string): Promise<HttpGitServer> {
  const expected = `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
  const authHeaders: string[] = [];
  const children = new Set<number>();
  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    authHeaders.push(auth);
    if (auth !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end('unauthorized\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: user,
      REMOTE_ADDR: '127.0.0.1',
    };
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
    if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    if (child.pid) children.add(child.pid);
    req.pipe(child.stdin);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.on('close', () => {
      if (child.pid) children.delete(child.pid);
      const out = Buffer.concat(chunks);
      let sep = out.indexOf('\r\n\r\n');
      let sepLen = 4;
      if (sep < 0) {
        sep = out.indexOf('\n\n');
        sepLen = 2;
      }
      if (sep < 0) {
        res.writeHead(500).end();
        return;
      }
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of out.subarray(0, sep).toString('latin1').split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
        else headers[k] = v;
      }
      res.writeHead(status, headers).end(out.subarray(sep + sepLen));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/`,
    authHeaders,
    close: async () => {
      for (const pid of children) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
