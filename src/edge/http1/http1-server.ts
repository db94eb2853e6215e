// The edge's HTTP/1.1 listener: a net.Server whose connections are ClientConnections, one timer
// that sweeps them (idle keep-alive, slow heads, lingering closes), and a graceful shutdown that
// lets responses in progress finish. TLS sockets from the HTTPS listener are adopted and served
// the same way.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { ClientConnection, type ConnectionHooks } from './http1-client-connection.js';

export type ServerHandlers = Pick<ConnectionHooks, 'request' | 'tunnels' | 'upgrade'>;

export interface Http1ServerOptions {
  /** How long a kept-alive connection may sit idle between requests (default 60 s). */
  keepAliveTimeoutMs?: number;
  /** How long a client may take to send a whole request head (default 30 s). */
  headersTimeoutMs?: number;
  /** How long a client may leave a response unread before it is dropped (default 60 s). */
  sendTimeoutMs?: number;
}

const SWEEP_MS = 1000;

export class Http1Server implements ConnectionHooks {
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly sendTimeoutMs: number;
  readonly request: ConnectionHooks['request'];
  readonly tunnels: ConnectionHooks['tunnels'];
  readonly upgrade: ConnectionHooks['upgrade'];
  closing = false;
  private readonly server: net.Server;
  private readonly connections = new Set<ClientConnection>();
  private readonly timer: NodeJS.Timeout;

  constructor(handlers: ServerHandlers, opts: Http1ServerOptions = {}) {
    this.request = handlers.request;
    this.tunnels = handlers.tunnels;
    this.upgrade = handlers.upgrade;
    this.keepAliveTimeoutMs = opts.keepAliveTimeoutMs ?? 60_000;
    this.headersTimeoutMs = opts.headersTimeoutMs ?? 30_000;
    this.sendTimeoutMs = opts.sendTimeoutMs ?? 60_000;
    // allowHalfOpen: the connection, not Node, decides what a client's FIN means (see onEnd).
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      this.connections.add(new ClientConnection(socket, this));
    });
    this.timer = setInterval(() => this.sweep(), Math.min(SWEEP_MS, this.keepAliveTimeoutMs / 2, this.sendTimeoutMs / 2));
    this.timer.unref();
  }

  /**
   * Serves a socket accepted elsewhere, already connected: the HTTPS listener's TLS sockets after
   * their handshake (the connection sees `encrypted` and reports itself secure).
   */
  adopt(socket: net.Socket): void {
    if (this.closing || socket.destroyed) {
      socket.destroy(); // a socket already closed would never report its close to the connection
      return;
    }
    socket.setNoDelay(true);
    this.connections.add(new ClientConnection(socket, this));
  }

  forget(conn: ClientConnection): void {
    this.connections.delete(conn);
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

  /** Stops accepting; idle connections close now, busy ones after their current response. */
  close(): void {
    this.closing = true;
    this.server.close();
    for (const conn of this.connections) conn.closeIfIdle();
  }

  /** Drops every connection (after close(), once the drain wait is over). */
  closeAll(): void {
    clearInterval(this.timer);
    for (const conn of this.connections) conn.abort();
    this.connections.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const conn of this.connections) conn.sweep(now);
  }
}
