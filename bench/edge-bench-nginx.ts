// nginx instances for the edge benchmark: a static upstream and a keep-alive reverse proxy,
// each with its own temp prefix, config and pid file, `daemon off`, on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export interface NginxInstance {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** What every benchmark nginx shares: one worker in the foreground, its files under `prefix`, and `http`'s body. */
export function nginxConfig(prefix: string, userLine: string, http: string, workerConnections = 4096): string {
  return `${userLine}worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections ${workerConnections}; }
http {
  keepalive_requests 1000000;
${http}}
`;
}

/** An access log as the edge writes one: buffered, so both pay about the same for it. */
export const bufferedAccessLog = (prefix: string) => `  access_log ${prefix}/access.log combined buffer=64k flush=1s;\n`;

/** The keep-alive upstream `app` and a server proxying to it with the headers the edge sets; `listen` is the server's listen line and anything after it. */
export function proxyServer(upstreamPort: number, listen: string, extraHeaders = ''): string {
  return `  upstream app {
    server 127.0.0.1:${upstreamPort};
    keepalive 128;
  }
  server {
    ${listen}
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
${extraHeaders}      proxy_set_header X-Request-Id $request_id;
      add_header X-Request-Id $request_id;
    }
  }
`;
}

export function staticConfig(prefix: string, port: number, root: string, userLine: string): string {
  return nginxConfig(
    prefix,
    userLine,
    `  access_log off;
  server {
    listen 127.0.0.1:${port} reuseport;
    location / { root ${root}; }
  }
`,
  );
}

export function proxyConfig(prefix: string, port: number, upstreamPort: number, userLine: string): string {
  return nginxConfig(prefix, userLine, bufferedAccessLog(prefix) + proxyServer(upstreamPort, `listen 127.0.0.1:${port};`, '      proxy_set_header X-Forwarded-Host $host;\n'));
}

/** Starts nginx with `config` under `prefix` and waits until `port` accepts connections. */
export async function startNginx(prefix: string, port: number, config: string): Promise<NginxInstance> {
  await mkdir(prefix, { recursive: true });
  await chmod(prefix, 0o755);
  const conf = path.join(prefix, 'nginx.conf');
  await writeFile(conf, config);
  const child: ChildProcess = spawn('nginx', ['-p', `${prefix}/`, '-e', `${prefix}/error.log`, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitForPort(port, 10_000, () => (child.exitCode !== null ? `nginx exited: ${stderr}` : undefined));
  return {
    port,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGQUIT');
      }),
  };
}

export async function waitForPort(port: number, timeoutMs: number, failed?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = failed?.();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface StaticUpstream {
  port: number;
  /** `user root;` when running as root (nginx workers need it to read the temp dirs), else empty. */
  userLine: string;
  stop(): Promise<void>;
}

/** nginx serving a small static page under `tmp`: the upstream every edge benchmark proxies to. */
export async function startStaticUpstream(tmp: string): Promise<StaticUpstream> {
  const www = path.join(tmp, 'www');
  await mkdir(www, { recursive: true, mode: 0o755 });
  await writeFile(path.join(www, 'index.html'), `${'<p>slipway edge benchmark</p>\n'.repeat(20)}`, { mode: 0o644 });
  const userLine = process.getuid?.() === 0 ? 'user root;\n' : '';
  const port = await freePort();
  const nginx = await startNginx(path.join(tmp, 'upstream'), port, staticConfig(path.join(tmp, 'upstream'), port, www, userLine));
  return { port, userLine, stop: nginx.stop };
}
