// Real TLS clients for the edge's HTTPS tests: one handshake (node:tls) reporting what the server
// presented, and HTTPS requests (node:https) to 127.0.0.1 with a chosen SNI name and Host.
import { createHash, X509Certificate } from 'node:crypto';
import https from 'node:https';
import tls from 'node:tls';

export interface Handshake {
  /** Hex SHA-256 of the leaf the server presented. */
  fingerprint: string;
  subjectAltName: string | undefined;
  protocol: string | null;
  alpn: string | false | null;
  reused: boolean;
  session: Buffer | undefined;
}

/**
 * One handshake, then the socket is closed. `awaitSession`: wait (up to 3 s) for the server's
 * session ticket first, which TLS 1.3 sends after the handshake.
 */
export function handshake(port: number, servername: string, opts: tls.ConnectionOptions & { awaitSession?: boolean } = {}): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const { awaitSession, ...connectOpts } = opts;
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ...connectOpts });
    let session: Buffer | undefined;
    let result: Omit<Handshake, 'session'> | undefined;
    socket.on('session', (s: Buffer) => {
      session = s;
      if (awaitSession && result) socket.end();
    });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      result = {
        fingerprint: cert.raw ? createHash('sha256').update(cert.raw).digest('hex') : '',
        subjectAltName: cert.subjectaltname,
        protocol: socket.getProtocol(),
        alpn: socket.alpnProtocol ?? null,
        reused: socket.isSessionReused(),
      };
      if (!awaitSession || session) return void socket.end();
      socket.setTimeout(3000, () => socket.end());
    });
    socket.on('data', () => undefined);
    socket.once('error', (err) => (result ? undefined : reject(err)));
    socket.once('close', () => (result ? resolve({ ...result, session }) : reject(new Error('closed before the handshake completed'))));
  });
}

export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function httpsGet(
  port: number,
  host: string,
  pathname: string,
  opts: { ca: string; headers?: Record<string, string>; agent?: https.Agent } = { ca: '' },
): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        servername: host,
        path: pathname,
        ca: opts.ca,
        agent: opts.agent ?? false,
        headers: { host: `${host}:${port}`, ...opts.headers },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

export function fingerprintOf(certificatePem: string): string {
  return createHash('sha256').update(new X509Certificate(certificatePem).raw).digest('hex');
}
