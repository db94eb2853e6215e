// A real ACME CA for tests: Pebble (Debian package `pebble`) with its own JSON config in a temp
// dir, on free loopback ports, its HTTPS certificate minted with openssl there, validation
// without random sleeps (`PEBBLE_VA_NOSLEEP=1`), no authorization reuse (every order validates),
// no rejected nonces, resolving names through the test's DNS server (`-dnsserver`). `httpPort`
// and `tlsPort` are where Pebble connects for HTTP-01 and TLS-ALPN-01: the test's servers.
// Nothing process-wide is changed: `httpsCaPem` is what an ACME client must trust to talk to
// Pebble, `rootPem` the root that signs what it issues (fetched from /roots/0; new at each start).
// Stopped by pid; the temp dir removed.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { runChecked, spawnProcess, type ChildHandle } from '../../src/platform/exec.js';
import { freePort } from './free-port.js';
import { waitUntil } from './wait-until.js';

export interface PebbleOptions {
  /** Port on 127.0.0.1 Pebble connects to for HTTP-01. */
  httpPort: number;
  /** Port on 127.0.0.1 Pebble connects to for TLS-ALPN-01. */
  tlsPort: number;
  /** "host:port" of the DNS server Pebble resolves through. */
  dnsServer: string;
  /** External Account Binding required, with these kid → base64url MAC keys. */
  eabKeys?: Record<string, string>;
  /** Names Pebble refuses to order (its policy: rejectedIdentifier). */
  domainBlocklist?: string[];
}

export interface TestPebble {
  directoryUrl: string;
  /** The self-signed certificate of Pebble's own HTTPS listener (what the ACME client trusts). */
  httpsCaPem: string;
  /** Pebble's root for the certificates it issues. */
  rootPem: string;
  output(): string;
  stop(): Promise<void>;
}

/** GET over HTTPS trusting only `ca`; resolves with status and body. */
export function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, method: 'GET', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export async function startPebble(opts: PebbleOptions): Promise<TestPebble> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-pebble-'));
  const certFile = path.join(dir, 'https-cert.pem');
  const keyFile = path.join(dir, 'https-key.pem');
  try {
    await runChecked([
      'openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', keyFile, '-out', certFile,
    ]);
    const httpsCaPem = await readFile(certFile, 'utf8');
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const acmePort = await freePort();
      const managementPort = await freePort();
      const config = path.join(dir, 'pebble-config.json');
      await writeFile(
        config,
        JSON.stringify({
          pebble: {
            listenAddress: `127.0.0.1:${acmePort}`,
            managementListenAddress: `127.0.0.1:${managementPort}`,
            certificate: certFile,
            privateKey: keyFile,
            httpPort: opts.httpPort,
            tlsPort: opts.tlsPort,
            ocspResponderURL: '',
            externalAccountBindingRequired: opts.eabKeys !== undefined,
            ...(opts.eabKeys ? { externalAccountMACKeys: opts.eabKeys } : {}),
            ...(opts.domainBlocklist ? { domainBlocklist: opts.domainBlocklist } : {}),
          },
        }),
      );
      let log = '';
      const child: ChildHandle = spawnProcess(['pebble', '-config', config, '-dnsserver', opts.dnsServer], {
        env: { ...stringEnv(), PEBBLE_VA_NOSLEEP: '1', PEBBLE_AUTHZREUSE: '0', PEBBLE_WFE_NONCEREJECT: '0' },
        onLine: (line) => {
          log += line + '\n';
        },
        killGraceMs: 3000,
      });
      let exited = false;
      void child.exit.then((end) => {
        if (end.startError) log += `pebble could not start (${end.startError.message}): install the Debian package pebble (scripts/test-setup.sh does)\n`;
        exited = true;
      });
      const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
      try {
        await waitUntil(
          'Pebble to answer /dir',
          async () => {
            if (exited) throw new Error(`pebble exited: ${log.slice(-2000)}`);
            return httpsGet(directoryUrl, httpsCaPem).then(
              (r) => r.status === 200,
              () => false,
            );
          },
          15_000,
          50,
        );
        const root = await httpsGet(`https://127.0.0.1:${managementPort}/roots/0`, httpsCaPem);
        if (root.status !== 200) throw new Error(`Pebble's /roots/0 answered ${root.status}`);
        return {
          directoryUrl,
          httpsCaPem,
          rootPem: root.body,
          output: () => log,
          stop: async () => {
            child.kill();
            await child.exit;
            await rm(dir, { recursive: true, force: true });
          },
        };
      } catch (err) {
        lastError = err;
        child.kill(0);
        await child.exit;
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function stringEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) out[k] = v;
  return out;
}
