// The edge's HTTPS listener: a node:tls server that picks the certificate by SNI, answers ACME
// TLS-ALPN-01 challenges, resumes sessions (tickets, and session ids through SessionCache), and
// hands each secured socket to the protocol its ALPN chose (secureSocketFor, the one dispatch point).
//
// How Node 20 orders the callbacks (checked with an experiment, Node 20.20 / OpenSSL 3.0):
// ALPNCallback runs first, with {servername, protocols} and `this` the server's TLSSocket; then
// SNICallback(servername, cb), again with `this` the same TLSSocket. So the ALPN callback can mark
// a socket whose client offered "acme-tls/1" for a host with a pending challenge, and the SNI
// callback then gives that socket the challenge certificate, every other socket the normal one.
// A resumed session skips SNICallback (OpenSSL's certificate callback runs only for full
// handshakes) but not ALPNCallback. An ALPNCallback answer of undefined fails the handshake with
// the no_application_protocol alert; an SNICallback answer without a context fails it with
// handshake_failure (no certificate for that name). SNICallback may answer later: a name the edge
// holds no certificate for waits there for an on-demand one (on-demand-certificates.ts); Node
// drops the answer for a socket closed meanwhile.
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { CertificateSet } from './certificate-set.js';
import { MIN_TLS_VERSION } from './certificate-material.js';
import type { ChallengeAnswers } from './challenge-answers.js';
import { SessionCache } from './session-cache.js';

export const ACME_TLS_ALPN = 'acme-tls/1';

/** What serves a secured socket, by negotiated protocol. */
export interface SecureProtocols {
  /** HTTP/1.1 (or no ALPN at all). */
  http1(socket: tls.TLSSocket): void;
  /** HTTP/2 (ALPN "h2"): advertised only when given (src/edge/http2/ wires it). */
  http2?: (socket: tls.TLSSocket) => void;
}

export interface TlsListenerOptions {
  certificates: CertificateSet;
  challenges: ChallengeAnswers;
  protocols: SecureProtocols;
  /** Time a client has to finish its handshake (default 10 s; more than the on-demand wait when there is one). */
  handshakeTimeoutMs?: number;
  /** Certificates obtained at the first handshake for names the set lacks. */
  onDemand?: { contextFor(servername: string): Promise<tls.SecureContext | undefined> };
}

const acmeMark = Symbol('acme-tls/1 challenge');
type MarkedSocket = tls.TLSSocket & { [acmeMark]?: tls.SecureContext };

export class TlsListener {
  private readonly server: tls.Server;
  private readonly sessions = new SessionCache();
  private readonly sockets = new Set<tls.TLSSocket>();

  constructor(private readonly opts: TlsListenerOptions) {
    const { certificates, challenges, protocols, onDemand } = opts;
    const h2 = protocols.http2 !== undefined;
    this.server = tls.createServer({
      minVersion: MIN_TLS_VERSION,
      allowHalfOpen: true,
      noDelay: true,
      handshakeTimeout: opts.handshakeTimeoutMs ?? 10_000,
      ALPNCallback(this: MarkedSocket, { servername, protocols: offered }) {
        if (offered.includes(ACME_TLS_ALPN) && servername) {
          const context = challenges.tlsAlpn01Context(servername.toLowerCase());
          if (context) {
            this[acmeMark] = context;
            return ACME_TLS_ALPN;
          }
        }
        if (h2 && offered.includes('h2')) return 'h2';
        if (offered.includes('http/1.1')) return 'http/1.1';
        return undefined; // no protocol we speak: no_application_protocol alert (RFC 7301)
      },
      SNICallback(this: MarkedSocket, servername, cb) {
        const context = this[acmeMark] ?? certificates.contextFor(servername.toLowerCase());
        if (context || !onDemand) return cb(null, context);
        onDemand.contextFor(servername).then(
          (found) => cb(null, found),
          () => cb(null, undefined),
        );
      },
    } as tls.TlsOptions);
    this.server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      this.sessions.set(id, data);
      done();
    });
    this.server.on('resumeSession', (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) => {
      done(null, this.sessions.get(id));
    });
    this.server.on('tlsClientError', noop); // a failed handshake is the client's business (bad SNI, old TLS)
    this.server.on('secureConnection', (socket: tls.TLSSocket) => this.secureSocketFor(socket));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops accepting; the sockets already handed over are their protocol's to close. */
  close(): void {
    this.server.close();
  }

  /** Drops sockets still in their handshake or an ACME exchange. */
  closeAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** The one place that looks at the negotiated protocol. */
  private secureSocketFor(socket: tls.TLSSocket): void {
    switch (socket.alpnProtocol) {
      case ACME_TLS_ALPN:
        // RFC 8737 3: the handshake is the whole answer; the validator closes, so do we.
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        socket.on('error', noop);
        socket.end();
        return;
      case 'h2':
        if (this.opts.protocols.http2) return this.opts.protocols.http2(socket);
        socket.destroy();
        return;
      default:
        this.opts.protocols.http1(socket);
    }
  }
}

function noop(): void {}
