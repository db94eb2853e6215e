// Issue 12 item 8: the edge forwards only what it vouches for. A real `slipway edge` process with
// SLIPWAY_EDGE_TRUSTED_PROXIES=127.0.0.2: requests from 127.0.0.1 (any client) lose their
// X-Forwarded-*, X-Real-IP and Forwarded headers, requests from 127.0.0.2 (the trusted proxy) keep
// them; only WebSocket upgrades are tunnelled unless the route lists the protocol; a request head
// with a bare LF is answered 400 at once, not at the head timeout.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EdgeClient } from '../../src/edge/admin/edge-client.js';
import { route } from '../edge/edge-harness.js';
import { startUpstream, type FakeUpstream } from '../edge/fake-upstream.js';
import { nodeArgvFor } from '../support/entry.js';
import { waitUntil } from '../support/wait-until.js';

const TRUSTED_PEER = '127.0.0.2';

interface Reply {
  status: number;
  head: string;
  body: string;
  /** Milliseconds from sending until the edge closed the connection. */
  ms: number;
}

/** Sends `raw` from `localAddress` and reads until the edge closes the connection. */
function exchange(port: number, raw: string, localAddress = '127.0.0.1', timeoutMs = 10_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1'))}`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(raw, 'latin1'));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: split < 0 ? '' : text.slice(split + 4), ms: performance.now() - started });
    });
  });
}

function get(port: number, host: string, pathname: string, headers: string[], localAddress?: string): Promise<Reply> {
  return exchange(port, `GET ${pathname} HTTP/1.1\r\nHost: ${host}\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`, localAddress);
}

function echoed(reply: Reply): Record<string, string | undefined> {
  assert.equal(reply.status, 200, reply.head);
  return (JSON.parse(reply.body) as { headers: Record<string, string | undefined> }).headers;
}

const SPOOFED = [
  'X-Forwarded-For: 6.6.6.6',
  'X-Forwarded-Proto: https',
  'X-Forwarded-Host: bank.example',
  'X-Real-IP: 6.6.6.6',
  'Forwarded: for=6.6.6.6;proto=https;host=bank.example',
];

describe('the edge forwards only what it vouches for (real edge process)', { timeout: 60_000 }, () => {
  let dataDir: string;
  let child: ChildProcess;
  let client: EdgeClient;
  let port: number;
  let up: FakeUpstream;
  let stderr = '';

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-edge-forwarded-'));
    up = await startUpstream('app');
    child = spawn(process.execPath, nodeArgvFor('src/edge/main.ts'), {
      env: {
        PATH: process.env['PATH'] ?? '',
        SLIPWAY_DATA_DIR: dataDir,
        SLIPWAY_EDGE_HOST: '127.0.0.1',
        SLIPWAY_EDGE_PORT: '0',
        SLIPWAY_EDGE_HTTPS_PORT: '0',
        SLIPWAY_EDGE_TRUSTED_PROXIES: `${TRUSTED_PEER}/32, 10.0.0.0/8`,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const stateFile = path.join(dataDir, 'edge', 'edge.json');
    await waitUntil(`the edge to write ${stateFile} (stderr: ${stderr})`, async () => (await readFile(stateFile, 'utf8').catch(() => '')).endsWith('\n'), 15_000, 50);
    port = (JSON.parse(await readFile(stateFile, 'utf8')) as { port: number }).port;
    client = new EdgeClient(path.join(dataDir, 'edge', 'admin.sock'));
    await client.putRoute(route('plain/prod', [up.url], { hosts: ['plain.test'] }));
    await client.putRoute(route('h2c/prod', [up.url], { hosts: ['h2c.test'], upgrades: ['h2c'] }));
  });

  after(async () => {
    await client?.close();
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await up?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('drops X-Forwarded-*, X-Real-IP and Forwarded sent by a client that is not a trusted proxy', async () => {
    const h = echoed(await get(port, 'plain.test', '/echo', SPOOFED));
    assert.equal(h['x-forwarded-for'], '127.0.0.1', 'the client address is what the edge saw, not what it was told');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-host'], 'plain.test');
    assert.equal(h['x-real-ip'], undefined);
    assert.equal(h['forwarded'], undefined);
  });

  it('passes them on from a trusted proxy, adding the proxy to X-Forwarded-For', async () => {
    const h = echoed(await get(port, 'plain.test', '/echo', SPOOFED, TRUSTED_PEER));
    assert.equal(h['x-forwarded-for'], `6.6.6.6, ${TRUSTED_PEER}`);
    assert.equal(h['x-forwarded-proto'], 'https');
    assert.equal(h['x-forwarded-host'], 'bank.example');
    assert.equal(h['x-real-ip'], '6.6.6.6');
    assert.equal(h['forwarded'], 'for=6.6.6.6;proto=https;host=bank.example');
    const bare = echoed(await get(port, 'plain.test', '/echo', [], TRUSTED_PEER));
    assert.equal(bare['x-forwarded-for'], TRUSTED_PEER);
    assert.equal(bare['x-forwarded-proto'], 'http');
    assert.equal(bare['x-forwarded-host'], 'plain.test');
  });

  it('tunnels a WebSocket upgrade', async () => {
    const reply = await upgrade(port, 'plain.test', 'websocket');
    assert.equal(reply.status, 101, reply.head);
    assert.match(reply.head, /X-Upstream: app/);
  });

  it('serves any other upgrade (h2c) as a plain request unless the route allows the protocol', async () => {
    const plain = await upgrade(port, 'plain.test', 'h2c');
    assert.equal(plain.status, 200, plain.head);
    assert.equal(plain.body, 'app');
    assert.equal(up.last?.headers['upgrade'], undefined, 'the Upgrade header was not forwarded');
    assert.doesNotMatch(String(up.last?.headers['connection'] ?? ''), /upgrade/i);
    const allowed = await upgrade(port, 'h2c.test', 'h2c');
    assert.equal(allowed.status, 101, allowed.head);
  });

  it('answers a request head with a bare LF with 400 at once', async () => {
    for (const raw of ['GET / HTTP/1.1\nHost: plain.test\n\n', 'GET / HTTP/1.1\r\nHost: plain.test\n\n', 'GET / HTTP/1.1\r\nHost: plain.test\r\nX-A: 1\n']) {
      const reply = await exchange(port, raw);
      assert.equal(reply.status, 400, `${JSON.stringify(raw)} -> ${reply.head}`);
      assert.match(reply.body, /bare LF/);
      assert.ok(reply.ms < 2000, `answered after ${Math.round(reply.ms)} ms, not at once`);
    }
    assert.equal(child.exitCode, null, `the edge is still running (stderr: ${stderr})`);
  });

  it('refuses a malformed SLIPWAY_EDGE_TRUSTED_PROXIES naming the variable', async () => {
    const bad = spawn(process.execPath, nodeArgvFor('src/edge/main.ts'), {
      env: { PATH: process.env['PATH'] ?? '', SLIPWAY_DATA_DIR: dataDir, SLIPWAY_EDGE_PORT: '0', SLIPWAY_EDGE_HTTPS_PORT: '0', SLIPWAY_EDGE_TRUSTED_PROXIES: '10.0.0.0/33' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let said = '';
    bad.stderr?.on('data', (d: Buffer) => (said += d.toString()));
    const code = await new Promise<number | null>((r) => bad.once('exit', (c) => r(c)));
    assert.notEqual(code, 0);
    assert.match(said, /SLIPWAY_EDGE_TRUSTED_PROXIES: "10\.0\.0\.0\/33" is not an IP address or CIDR/);
  });
});

function upgrade(port: number, host: string, protocol: string): Promise<Reply> {
  // The upgraded upstream socket stays open: the exchange ends when the edge has sent the 101 head.
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to the ${protocol} upgrade; got ${JSON.stringify(text)}`));
    }, 10_000);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: text.slice(split + 4), ms: performance.now() - started });
    };
    socket.on('connect', () =>
      socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: ${protocol}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`),
    );
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, split))?.[1];
      if (text.startsWith('HTTP/1.1 101') || (length !== undefined && text.length >= split + 4 + Number(length))) done();
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
