// The peers of the HTTPS benchmark: nginx and Caddy terminating TLS (one worker / one core each)
// in front of the same upstream, a certificate made for the run, and the clients that measure
// (wrk for HTTP/1.1 keep-alive, h2load for HTTP/2, `openssl s_time` for new handshakes).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run, runChecked } from '../src/platform/exec.js';
import { bufferedAccessLog, nginxConfig, proxyServer, startNginx, waitForPort, type NginxInstance } from './edge-bench-nginx.js';

export const BENCH_HOST = 'bench.test';

export interface BenchCertificate {
  certFile: string;
  keyFile: string;
  certificatePem: string;
  keyPem: string;
}

/**
 * A self-signed ECDSA P-256 certificate for bench.test and 127.0.0.1 (wrk sends the URL's host as
 * SNI, so an IP literal is what it asks for).
 */
export async function makeBenchCertificate(dir: string): Promise<BenchCertificate> {
  await mkdir(dir, { recursive: true });
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  await runChecked([
    'openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${BENCH_HOST}`, '-addext', `subjectAltName=DNS:${BENCH_HOST},DNS:127.0.0.1,IP:127.0.0.1`,
    '-keyout', keyFile, '-out', certFile,
  ]);
  const { readFile } = await import('node:fs/promises');
  return { certFile, keyFile, certificatePem: await readFile(certFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') };
}

export function nginxTlsConfig(prefix: string, port: number, upstreamPort: number, userLine: string, cert: BenchCertificate): string {
  const listen = `listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${cert.certFile};
    ssl_certificate_key ${cert.keyFile};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:10m;`;
  return nginxConfig(prefix, userLine, bufferedAccessLog(prefix) + proxyServer(upstreamPort, listen), 8192);
}

export async function startNginxTls(prefix: string, port: number, upstreamPort: number, userLine: string, cert: BenchCertificate): Promise<NginxInstance> {
  return startNginx(prefix, port, nginxTlsConfig(prefix, port, upstreamPort, userLine, cert));
}

export interface CaddyInstance {
  pid: number;
  stop(): Promise<void>;
}

/** Caddy as a TLS-terminating reverse proxy with the given certificate, one core (GOMAXPROCS=1), an access log like the others. */
export async function startCaddyTls(prefix: string, port: number, upstreamPort: number, cert: BenchCertificate): Promise<CaddyInstance> {
  await mkdir(prefix, { recursive: true });
  const caddyfile = path.join(prefix, 'Caddyfile');
  await writeFile(
    caddyfile,
    `{
  admin off
  auto_https off
}
https://${BENCH_HOST}:${port}, https://127.0.0.1:${port} {
  bind 127.0.0.1
  tls ${cert.certFile} ${cert.keyFile}
  log {
    output file ${prefix}/access.log
  }
  reverse_proxy 127.0.0.1:${upstreamPort}
}
`,
  );
  const child: ChildProcess = spawn('caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], {
    env: { PATH: process.env.PATH ?? '', HOME: prefix, XDG_DATA_HOME: prefix, XDG_CONFIG_HOME: prefix, GOMAXPROCS: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  await waitForPort(port, 15_000, () => (child.exitCode !== null ? `caddy exited: ${stderr}` : undefined));
  return {
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export interface H2loadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** HTTP/2 over TLS with h2load: `clients` connections, `streams` concurrent streams each, for `durationS`. */
export async function runH2load(port: number, opts: { clients: number; streams: number; durationS: number }): Promise<H2loadResult> {
  const argv = [
    'h2load', `--connect-to=127.0.0.1:${port}`, '-c', String(opts.clients), '-m', String(opts.streams),
    '-D', String(opts.durationS), '--warm-up-time=1', `https://${BENCH_HOST}:${port}/`,
  ];
  const r = await run(argv, { timeoutMs: (opts.durationS + 60) * 1000 });
  if (r.code !== 0) throw new Error(`h2load failed (${r.code}): ${r.stderr.trim() || r.stdout.slice(-2000)}`);
  return parseH2load(r.stdout);
}

export function parseH2load(out: string): H2loadResult {
  const rps = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out)?.[1];
  const status = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out);
  // "time for request:   min   max   mean   sd   +/- sd": h2load gives no percentiles, so mean and
  // mean + 2 sd stand in for p50 and p99 (said in the JSON).
  const tfr = /time for request:\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)/.exec(out);
  if (!rps || !status || !tfr) throw new Error(`cannot read h2load output:\n${out}`);
  const mean = toMs(tfr[5], tfr[6]);
  const sd = toMs(tfr[7], tfr[8]);
  return { requestsPerSecond: Number(rps), p50Ms: mean, p99Ms: mean + 2 * sd, errors: Number(status[2]) + Number(status[3]) };
}

/**
 * New connections per second, each a full TLS handshake (no resumption) and one HTTP/1.1 request:
 * h2load with as many clients as requests, so every client connects once (`openssl s_time` of
 * OpenSSL 3.0 cannot send SNI). Repeated until `durationS` has passed; the mean rate.
 */
export async function runHandshakes(port: number, opts: { connections: number; durationS: number }): Promise<number> {
  const deadline = Date.now() + opts.durationS * 1000;
  let done = 0;
  let seconds = 0;
  while (Date.now() < deadline) {
    const argv = ['h2load', '--h1', `--connect-to=127.0.0.1:${port}`, '-c', String(opts.connections), '-n', String(opts.connections), `https://${BENCH_HOST}:${port}/`];
    const r = await run(argv, { timeoutMs: 120_000 });
    const m = /finished in ([\d.]+)(ms|s), [\d.]+ req\/s/.exec(r.stdout);
    const ok = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded/.exec(r.stdout);
    if (r.code !== 0 || !m || !ok) throw new Error(`h2load (handshakes) failed (${r.code}): ${r.stderr.trim() || r.stdout.slice(-2000)}`);
    done += Number(ok[1]);
    seconds += m[2] === 'ms' ? Number(m[1]) / 1000 : Number(m[1]);
  }
  return seconds > 0 ? done / seconds : 0;
}

function toMs(value: string | undefined, unit: string | undefined): number {
  const v = Number(value);
  if (unit === 'us') return v / 1000;
  if (unit === 's') return v * 1000;
  return v;
}
