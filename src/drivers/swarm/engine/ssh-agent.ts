// An http.Agent that reaches a remote Engine through ONE persistent SSH connection: every
// HTTP connection is a new channel (`docker system dial-stdio`) on the same SSH session.
// docker-modem's own `protocol: 'ssh'` opens a new SSH connection for every request
// (lib/ssh.js builds a new ssh2 Client per request), which is slow and trips sshd rate limits.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { UnavailableError } from './errors.js';
import type { HostKeyCheck } from './host-key-check.js';

/** The part of ssh2's Client this agent uses (ssh2 is installed with docker-modem). */
export interface SshClientLike {
  on(event: 'ready', cb: () => void): this;
  on(event: 'error', cb: (err: Error) => void): this;
  on(event: 'close', cb: () => void): this;
  connect(opts: Record<string, unknown>): void;
  exec(command: string, cb: (err: Error | undefined, stream: Duplex) => void): boolean;
  end(): void;
}

export interface SshAgentOptions {
  host: string;
  port: number;
  username: string;
  privateKey?: string;
  passphrase?: string;
  /** The server's host key is checked against known_hosts; a refused key fails the connection. */
  hostKeys: HostKeyCheck;
  readyTimeoutMs?: number;
}

export class PersistentSshAgent extends http.Agent {
  #client: SshClientLike | null = null;
  #ready: Promise<SshClientLike> | null = null;
  readonly #makeClient: () => SshClientLike;
  readonly #opts: SshAgentOptions;
  /** How many SSH connections were opened (1 unless the connection dropped). */
  connectionsOpened = 0;

  constructor(opts: SshAgentOptions, makeClient: () => SshClientLike) {
    super({ keepAlive: true });
    this.#opts = opts;
    this.#makeClient = makeClient;
  }

  #connect(): Promise<SshClientLike> {
    this.#ready ??= new Promise<SshClientLike>((resolve, reject) => {
      const client = this.#makeClient();
      this.connectionsOpened += 1;
      this.#opts.hostKeys.refusal = null;
      client
        .on('ready', () => {
          this.#client = client;
          resolve(client);
        })
        .on('error', (err) => {
          this.#ready = null;
          this.#client = null;
          // ssh2 says only "Host denied (verification failed)"; the check knows why and how to fix it.
          const refusal = this.#opts.hostKeys.refusal;
          if (refusal) return reject(refusal);
          reject(new UnavailableError(`SSH connection to ${this.#opts.username}@${this.#opts.host}:${this.#opts.port} failed: ${err.message}`));
        })
        .on('close', () => {
          // The next request reconnects.
          this.#ready = null;
          this.#client = null;
        });
      client.connect({
        host: this.#opts.host,
        port: this.#opts.port,
        username: this.#opts.username,
        privateKey: this.#opts.privateKey,
        passphrase: this.#opts.passphrase,
        readyTimeout: this.#opts.readyTimeoutMs ?? 20_000,
        keepaliveInterval: 15_000,
        hostVerifier: (key: Buffer) => this.#opts.hostKeys.verify(key),
        algorithms: { serverHostKey: this.#opts.hostKeys.serverHostKeyAlgorithms() },
      });
    });
    return this.#ready;
  }

  override createConnection(_options: unknown, cb: (err: Error | null, socket?: Duplex) => void): undefined {
    this.#connect().then(
      (client) => {
        client.exec('docker system dial-stdio', (err, stream) => {
          if (err) cb(new UnavailableError(`ssh ${this.#opts.host}: docker system dial-stdio failed: ${err.message}`));
          else cb(null, stream);
        });
      },
      (err: Error) => cb(err),
    );
    return undefined;
  }

  // SSH channels are not net.Sockets: no setKeepAlive/ref/unref; they stay open for reuse.
  override keepSocketAlive(): boolean {
    return true;
  }

  override reuseSocket(): void {}

  override destroy(): void {
    super.destroy();
    this.#client?.end();
    this.#client = null;
    this.#ready = null;
  }
}
