// Pebble (a real RFC 8555 CA, Debian package `pebble`) and pebble-challtestsrv (its mock DNS,
// answering every A query with 127.0.0.1) started on loopback for one test, validating HTTP-01
// against `httpPort` and TLS-ALPN-01 against `tlsPort`. Stopped by pid; its temp dir removed.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runChecked, spawnProcess, type ChildHandle } from '../../src/platform/exec.js';
import { waitUntil } from '../support/wait-until.js';

export interface Pebble {
  directoryUrl: string;
  /** Pebble's own HTTPS certificate (trust it to talk ACME). */
  serverCertificatePem: string;
  /** The root that signs what Pebble issues (it changes at every start). */
  rootPem(): Promise<string>;
  output: string[];
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, timeout: 2000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      })
      .on('error', reject);
  });
}

export async function startPebble(opts: { httpPort: number; tlsPort: number }): Promise<Pebble> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pebble-'));
  const children: ChildHandle[] = [];
  const output: string[] = [];
  const stop = async () => {
    for (const c of children) c.kill(2000);
    await Promise.all(children.map((c) => c.exit));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [acmePort, mgmtPort, dnsPort, challMgmtPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const cert = path.join(dir, 'pebble.crt');
    const key = path.join(dir, 'pebble.key');
    await runChecked(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert]);
    const config = path.join(dir, 'pebble.json');
    await writeFile(config, JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${mgmtPort}`,
        certificate: cert,
        privateKey: key,
        httpPort: opts.httpPort,
        tlsPort: opts.tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }));
    const onLine = (line: string) => output.push(line);
    children.push(spawnProcess(['pebble-challtestsrv', '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dns01', `127.0.0.1:${dnsPort}`,
      '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${challMgmtPort}`], { onLine }));
    children.push(spawnProcess(['pebble', '-config', config, '-dnsserver', `127.0.0.1:${dnsPort}`], {
      onLine,
      env: { PATH: process.env.PATH ?? '', PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
    }));
    const serverCertificatePem = await readFile(cert, 'utf8');
    const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
    await waitUntil('Pebble to answer /dir', async () => (await get(directoryUrl, serverCertificatePem).catch(() => ({ status: 0 }))).status === 200, 15_000, 50);
    return {
      directoryUrl,
      serverCertificatePem,
      rootPem: async () => (await get(`https://127.0.0.1:${mgmtPort}/roots/0`, serverCertificatePem)).body,
      output,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
