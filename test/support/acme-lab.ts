// What the HTTPS end-to-end tests share: a private DNS server (BIND, RFC 2136 updates) and Pebble
// validating against the edge's ports, the settings that point a control plane at them, and a
// GET over HTTPS to the edge with a given SNI name.
import { writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import type tls from 'node:tls';
import { freePort } from './free-port.js';
import { startNamed, type TestNamed } from './named.js';
import { startPebble, type TestPebble } from './pebble.js';

export interface AcmeLab {
  named: TestNamed;
  pebble: TestPebble;
  edgePort: number;
  httpsPort: number;
  /** Pebble's HTTPS (directory) CA, written into the data dir. */
  caFile: string;
  /** The root that issued certificates chain to, written into the data dir. */
  rootFile: string;
  /** The control plane's settings for the edge's ports and Pebble. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startAcmeLab(dataDir: string, zone = 'example.test'): Promise<AcmeLab> {
  const edgePort = await freePort();
  const httpsPort = await freePort();
  const named = await startNamed(zone);
  const pebble = await startPebble({ httpPort: edgePort, tlsPort: httpsPort, dnsServer: named.address });
  const caFile = path.join(dataDir, 'pebble-https.pem');
  const rootFile = path.join(dataDir, 'pebble-root.pem');
  await writeFile(caFile, pebble.httpsCaPem);
  await writeFile(rootFile, pebble.rootPem);
  return {
    named,
    pebble,
    edgePort,
    httpsPort,
    caFile,
    rootFile,
    env: {
      SLIPWAY_EDGE_PORT: String(edgePort),
      SLIPWAY_EDGE_HTTPS_PORT: String(httpsPort),
      SLIPWAY_ACME_DIRECTORY: pebble.directoryUrl,
      SLIPWAY_ACME_CA_CERT: caFile,
    },
    async stop() {
      await pebble.stop();
      await named.stop();
    },
  };
}

export interface SniResponse {
  status: number;
  headers: Record<string, unknown>;
  body: string;
  peer: tls.PeerCertificate;
}

/** GET over HTTPS to 127.0.0.1:port with SNI `host` (and the Host header a browser sends), trusting only `ca`. */
export function httpsGetSni(port: number, host: string, ca: string, opts: { path?: string; timeoutMs?: number } = {}): Promise<SniResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, servername: host, headers: { host: `${host}:${port}` }, path: opts.path ?? '/', ca, agent: false, timeout: opts.timeoutMs ?? 5000 },
      (res) => {
        const peer = (res.socket as tls.TLSSocket).getPeerCertificate();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, peer }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
