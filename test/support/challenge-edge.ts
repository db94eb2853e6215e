// An EdgeTls for the ACME tests that answers challenges the way an edge must: HTTP-01 tokens on a
// real HTTP server, TLS-ALPN-01 certificates on a real TLS server offering ALPN "acme-tls/1", both
// on port 0 of 127.0.0.1 (Pebble is told their ports). It records what was put and removed, so a
// test can check that every answer was taken down. Certificates are out of its scope.
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSecureContext, createServer as createTlsServer, type SecureContext, type Server as TlsServer } from 'node:tls';
import type { EdgeCertificate, EdgeCertificateState, EdgeChallenge, EdgeTls } from '../../src/core/ports/edge-tls.js';

export class ChallengeEdge implements EdgeTls {
  readonly httpTokens = new Map<string, string>();
  readonly alpnContexts = new Map<string, SecureContext>();
  /** Every put and remove, in order: "put http-01 <token>", "remove tls-alpn-01 <host>". */
  readonly events: string[] = [];
  /** Requests and handshakes seen, "http-01 <token>" / "tls-alpn-01 <servername>". */
  readonly seen: string[] = [];
  readonly #http: Server;
  readonly #tls: TlsServer;

  private constructor(http: Server, tls: TlsServer) {
    this.#http = http;
    this.#tls = tls;
  }

  static async start(): Promise<ChallengeEdge> {
    let edge: ChallengeEdge | undefined;
    const http = createHttpServer((req, res) => {
      const token = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '')?.[1];
      const answer = token === undefined ? undefined : edge?.httpTokens.get(token);
      if (token !== undefined) edge?.seen.push(`http-01 ${token}`);
      if (answer === undefined) {
        res.writeHead(404).end('no such challenge');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(answer);
    });
    const tls = createTlsServer({
      ALPNProtocols: ['acme-tls/1'],
      SNICallback: (servername, cb) => {
        edge?.seen.push(`tls-alpn-01 ${servername}`);
        const ctx = edge?.alpnContexts.get(servername.toLowerCase());
        if (ctx) cb(null, ctx);
        else cb(new Error(`no tls-alpn-01 challenge for ${servername}`));
      },
    });
    tls.on('secureConnection', (socket) => socket.end());
    tls.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    edge = new ChallengeEdge(http, tls);
    return edge;
  }

  get httpPort(): number {
    return (this.#http.address() as AddressInfo).port;
  }

  get tlsPort(): number {
    return (this.#tls.address() as AddressInfo).port;
  }

  /** Challenges still up (should be none after an issuance, whatever its outcome). */
  get live(): number {
    return this.httpTokens.size + this.alpnContexts.size;
  }

  async putChallenge(c: EdgeChallenge): Promise<void> {
    if (c.type === 'http-01') {
      this.httpTokens.set(c.token, c.keyAuthorization);
      this.events.push(`put http-01 ${c.token}`);
    } else {
      this.alpnContexts.set(c.host, createSecureContext({ cert: c.certificatePem, key: c.keyPem.reveal() }));
      this.events.push(`put tls-alpn-01 ${c.host}`);
    }
  }

  async removeChallenge(type: EdgeChallenge['type'], key: string): Promise<void> {
    if (type === 'http-01') this.httpTokens.delete(key);
    else this.alpnContexts.delete(key);
    this.events.push(`remove ${type} ${key}`);
  }

  async putCertificate(_cert: EdgeCertificate): Promise<EdgeCertificateState> {
    throw new Error('ChallengeEdge holds no certificates');
  }

  async removeCertificate(_id: string): Promise<void> {}

  async listCertificates(): Promise<EdgeCertificateState[]> {
    return [];
  }

  async stop(): Promise<void> {
    this.#http.closeAllConnections();
    await Promise.all([
      new Promise<void>((resolve) => this.#http.close(() => resolve())),
      new Promise<void>((resolve) => this.#tls.close(() => resolve())),
    ]);
  }
}
