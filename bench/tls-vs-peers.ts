// Benchmark (issue 13): HTTPS at the Slipway edge against nginx and Caddy, each terminating TLS
// with the same certificate in front of the same upstream (nginx serving a static page), one
// worker / one core each, measured in one run and alternated per round. Prints JSON:
// requests/s and latency over keep-alive HTTP/1.1 (wrk) and HTTP/2 (h2load), and new TLS
// handshakes per second (openssl s_time, no resumption).
// Run: npm run bench:tls -- [--duration 8] [--connections 50] [--rounds 3] [--warmup 5] [--peers edge,nginx,caddy]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Sensitive } from '../src/core/sensitive.js';
import { EdgeClient } from '../src/edge/admin/edge-client.js';
import { freePort, startStaticUpstream } from './edge-bench-nginx.js';
import { putBenchRoute, startEdgeProcess } from './edge-bench-process.js';
import { runWrk, wrkAvailable } from './edge-bench-wrk.js';
import { BENCH_HOST, makeBenchCertificate, runH2load, runHandshakes, startCaddyTls, startNginxTls } from './tls-peers.js';

type Peer = 'edge' | 'nginx' | 'caddy';

interface Round {
  http1: { requestsPerSecond: number; p50Ms: number; p99Ms: number; errors: number };
  http2: { requestsPerSecond: number; p50Ms: number; p99Ms: number; errors: number };
  handshakesPerSecond: number;
}

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '5' },
    peers: { type: 'string', default: 'edge,nginx,caddy' },
  },
});
const durationS = Number(values.duration);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
const warmupS = Number(values.warmup);
const peers = values.peers.split(',').map((p) => p.trim()) as Peer[];

async function main(): Promise<void> {
  if (!(await wrkAvailable())) {
    console.log(JSON.stringify({ error: 'wrk is not installed: apt-get install wrk nghttp2-client nginx-light caddy' }));
    process.exitCode = 1;
    return;
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'tls-bench-'));
  const stops: Array<() => Promise<void>> = [];
  try {
    const upstream = await startStaticUpstream(tmp);
    stops.push(upstream.stop);
    const cert = await makeBenchCertificate(path.join(tmp, 'cert'));
    const ports: Partial<Record<Peer, number>> = {};
    for (const peer of peers) {
      const port = await freePort();
      ports[peer] = port;
      if (peer === 'nginx') stops.push((await startNginxTls(path.join(tmp, 'nginx'), port, upstream.port, upstream.userLine, cert)).stop);
      else if (peer === 'caddy') stops.push((await startCaddyTls(path.join(tmp, 'caddy'), port, upstream.port, cert)).stop);
      else {
        const dataDir = path.join(tmp, 'edge-data');
        const edge = await startEdgeProcess(dataDir, await freePort(), path.join(tmp, 'edge-access.log'), { httpsPort: port });
        stops.push(edge.stop);
        await putTlsRoute(dataDir, upstream.port, cert.certificatePem, cert.keyPem);
      }
    }
    const measure = async (port: number): Promise<Round> => ({
      http1: await runWrk(`https://127.0.0.1:${port}/`, { connections, threads: 1, durationS, headers: [`Host: ${BENCH_HOST}`] }),
      http2: await runH2load(port, { clients: Math.max(1, Math.round(connections / 10)), streams: 10, durationS }),
      handshakesPerSecond: Math.round(await runHandshakes(port, { connections: 500, durationS: Math.max(2, Math.round(durationS / 2)) })),
    });
    for (const peer of peers) await runWrk(`https://127.0.0.1:${ports[peer]}/`, { connections, threads: 1, durationS: warmupS, headers: [`Host: ${BENCH_HOST}`] });
    const results: Record<string, Round[]> = {};
    for (let i = 0; i < rounds; i++) {
      for (const peer of peers) (results[peer] ??= []).push(await measure(ports[peer] ?? 0));
    }
    const summary: Record<string, Round> = {};
    for (const peer of peers) summary[peer] = summarize(results[peer] ?? []);
    const edge = summary['edge'];
    const ratio = (a: number | undefined, b: number | undefined) => (a && b ? round(a / b, 3) : null);
    const comparisons = edge
      ? {
          http1RpsVsNginx: ratio(edge.http1.requestsPerSecond, summary['nginx']?.http1.requestsPerSecond),
          http1RpsVsCaddy: ratio(edge.http1.requestsPerSecond, summary['caddy']?.http1.requestsPerSecond),
          http2RpsVsNginx: ratio(edge.http2.requestsPerSecond, summary['nginx']?.http2.requestsPerSecond),
          http2RpsVsCaddy: ratio(edge.http2.requestsPerSecond, summary['caddy']?.http2.requestsPerSecond),
          handshakesVsNginx: ratio(edge.handshakesPerSecond, summary['nginx']?.handshakesPerSecond),
          handshakesVsCaddy: ratio(edge.handshakesPerSecond, summary['caddy']?.handshakesPerSecond),
          http1P99DiffMsVsNginx: summary['nginx'] ? round(edge.http1.p99Ms - summary['nginx'].http1.p99Ms, 3) : null,
        }
      : null;
    console.log(
      JSON.stringify(
        {
          setup: {
            durationS, warmupS, connections, rounds, peers, cpus: os.cpus().length,
            http2: `h2load, ${Math.max(1, Math.round(connections / 10))} connections x 10 streams; p50/p99 are h2load's mean and mean+2sd (it prints no percentiles)`,
            handshakes: 'h2load --h1, 500 clients with one request each (a full handshake per connection), ECDSA P-256 certificate',
            loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)),
          },
          summary,
          comparisons,
          // Issue 13's targets: at least 1.0x Caddy and 0.8x nginx in requests/s, p99 within 2 ms of nginx.
          targets: { rpsVsCaddy: 1.0, rpsVsNginx: 0.8, p99DiffMs: 2 },
          rounds: results,
        },
        null,
        2,
      ),
    );
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
  }
}

async function putTlsRoute(dataDir: string, upstreamPort: number, certificatePem: string, keyPem: string): Promise<void> {
  const client = EdgeClient.forDataDir(dataDir);
  try {
    await client.putCertificate({ id: 'bench', hosts: [BENCH_HOST, '127.0.0.1'], certificatePem, keyPem: new Sensitive(keyPem) });
  } finally {
    await client.close();
  }
  await putBenchRoute(dataDir, upstreamPort, { hosts: [BENCH_HOST, '127.0.0.1'], tls: { hsts: false } });
}

function summarize(rs: Round[]): Round {
  const med = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)] ?? 0;
  };
  const part = (pick: (r: Round) => Round['http1']) => ({
    requestsPerSecond: round(med(rs.map((r) => pick(r).requestsPerSecond)), 0),
    p50Ms: round(med(rs.map((r) => pick(r).p50Ms)), 3),
    p99Ms: round(med(rs.map((r) => pick(r).p99Ms)), 3),
    errors: rs.reduce((a, r) => a + pick(r).errors, 0),
  });
  return { http1: part((r) => r.http1), http2: part((r) => r.http2), handshakesPerSecond: round(med(rs.map((r) => r.handshakesPerSecond)), 0) };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

await main();
