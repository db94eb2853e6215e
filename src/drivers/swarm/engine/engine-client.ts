// The Docker Engine client: dockerode's modem over a local socket, TCP+TLS or one persistent
// SSH connection, with the API version negotiated at connect (1.41 or newer).
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import { ConfigError } from '../../../core/errors.js';
import { describeConnection, type EngineConnection } from './connection.js';
import { EngineApiError, UnavailableError } from './errors.js';
import { HostKeyCheck } from './host-key-check.js';
import { PersistentSshAgent, type SshClientLike } from './ssh-agent.js';

export const MIN_API_VERSION = '1.41';
/** The newest API this client is written against; newer engines are spoken to in this version. */
export const MAX_API_VERSION = '1.45';

export interface EngineRequest {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'HEAD';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Registry credentials, sent base64url-encoded in X-Registry-Auth. */
  registryAuth?: { username: string; password: string; serveraddress: string };
  /** A request body stream (a build context tar). */
  file?: Readable;
  contentType?: string;
  signal?: AbortSignal;
}

interface ModemError extends Error {
  statusCode?: number;
  json?: { message?: string } | null;
}

interface Modem {
  dial(options: Record<string, unknown>, cb: (err: ModemError | null, data: unknown) => void): void;
}

export function compareApiVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}

/** The version both sides speak, or an error naming the upgrade needed. */
export function negotiateApiVersion(server: { ApiVersion: string; MinAPIVersion?: string }, where: string): string {
  if (compareApiVersions(server.ApiVersion, MIN_API_VERSION) < 0) {
    throw new UnavailableError(
      `the Docker Engine at ${where} speaks API ${server.ApiVersion}; Slipway needs ${MIN_API_VERSION} or newer (Docker 20.10+): upgrade the engine`,
    );
  }
  return compareApiVersions(server.ApiVersion, MAX_API_VERSION) > 0 ? MAX_API_VERSION : server.ApiVersion;
}

const OK_CODES = { 200: true, 201: true, 204: true, 304: true } as const;

export class EngineClient {
  readonly docker: Docker;
  readonly #modem: Modem;
  readonly #agent: PersistentSshAgent | null;

  private constructor(
    readonly connection: EngineConnection,
    readonly apiVersion: string,
    agent: PersistentSshAgent | null,
  ) {
    this.#agent = agent;
    this.docker = new Docker({ ...modemOptions(connection, agent), version: `v${apiVersion}` });
    this.#modem = (this.docker as unknown as { modem: Modem }).modem;
  }

  /** Connects, pings and negotiates the API version. */
  static async connect(connection: EngineConnection, opts: { sshClientFactory?: () => SshClientLike } = {}): Promise<EngineClient> {
    const agent = connection.kind === 'ssh' ? sshAgent(connection, opts.sshClientFactory) : null;
    const probe = new Docker(modemOptions(connection, agent));
    const where = describeConnection(connection);
    let version: { ApiVersion: string; MinAPIVersion?: string };
    try {
      version = (await probe.version()) as unknown as { ApiVersion: string; MinAPIVersion?: string };
    } catch (err) {
      agent?.destroy();
      // A refused SSH host key: its message says what to check and how to fix it.
      if (err instanceof ConfigError) throw err;
      throw new UnavailableError(`cannot reach the Docker Engine at ${where}: ${(err as Error).message}; is dockerd running and is the address right?`);
    }
    try {
      return new EngineClient(connection, negotiateApiVersion(version, where), agent);
    } catch (err) {
      agent?.destroy();
      throw err;
    }
  }

  get where(): string {
    return describeConnection(this.connection);
  }

  /** How many SSH connections this client opened (for ssh: 1 unless one dropped). */
  get sshConnectionsOpened(): number {
    return this.#agent?.connectionsOpened ?? 0;
  }

  /** A JSON request; resolves with the parsed body (or null for an empty one). */
  request<T>(req: EngineRequest): Promise<T> {
    return this.#dial(req, false) as Promise<T>;
  }

  /** A streaming request (logs, build, push); resolves with the response once headers arrived. */
  stream(req: EngineRequest): Promise<IncomingMessage> {
    return this.#dial(req, true) as Promise<IncomingMessage>;
  }

  close(): void {
    this.#agent?.destroy();
  }

  #dial(req: EngineRequest, isStream: boolean): Promise<unknown> {
    const query = Object.fromEntries(Object.entries(req.query ?? {}).filter(([, v]) => v !== undefined));
    const hasQuery = Object.keys(query).length > 0;
    const options: Record<string, unknown> = {
      path: `${req.path}?`,
      method: req.method,
      statusCodes: OK_CODES,
      isStream,
      options: req.body !== undefined ? { _query: query, _body: req.body } : hasQuery ? { _query: query } : {},
    };
    if (req.registryAuth) options['authconfig'] = req.registryAuth;
    if (req.file) options['file'] = req.file;
    if (req.contentType) options['headers'] = { 'Content-Type': req.contentType };
    if (req.signal) options['abortSignal'] = req.signal;
    return new Promise((resolve, reject) => {
      this.#modem.dial(options, (err, data) => {
        if (!err) return resolve(data);
        if (err.statusCode) {
          const message = err.json?.message ?? err.message;
          return reject(new EngineApiError(err.statusCode, `${req.method} ${req.path}: ${message}`));
        }
        // A host key refused on reconnect keeps its own message and code.
        if (err instanceof ConfigError) return reject(err);
        reject(new UnavailableError(`Docker Engine at ${this.where}: ${req.method} ${req.path}: ${err.message}`));
      });
    });
  }
}

function modemOptions(c: EngineConnection, agent: PersistentSshAgent | null): Docker.DockerOptions {
  // Explicit `host: undefined` etc.: docker-modem otherwise fills gaps from DOCKER_HOST/DOCKER_CERT_PATH.
  switch (c.kind) {
    case 'socket':
      return { socketPath: c.socketPath, host: undefined, protocol: undefined } as Docker.DockerOptions;
    case 'tcp':
      return c.tls
        ? { host: c.host, port: c.port, protocol: 'https', ca: c.tls.ca, cert: c.tls.cert, key: c.tls.key.reveal() }
        : { host: c.host, port: c.port, protocol: 'http', ca: undefined, cert: undefined, key: undefined } as Docker.DockerOptions;
    case 'ssh':
      // Plain HTTP over channels of the one SSH connection the agent holds.
      return { host: 'docker', port: 80, protocol: 'http', agent: agent ?? undefined } as Docker.DockerOptions;
  }
}

function sshAgent(c: Extract<EngineConnection, { kind: 'ssh' }>, factory?: () => SshClientLike): PersistentSshAgent {
  const make =
    factory ??
    (() => {
      // ssh2 comes with docker-modem; loaded only when an SSH engine is configured.
      const require = createRequire(import.meta.url);
      const { Client } = require('ssh2') as { Client: new () => SshClientLike };
      return new Client();
    });
  const opts: ConstructorParameters<typeof PersistentSshAgent>[0] = {
    host: c.host,
    port: c.port,
    username: c.username,
    hostKeys: new HostKeyCheck(c.knownHosts, c.host, c.port),
  };
  if (c.privateKey) opts.privateKey = c.privateKey.reveal();
  if (c.passphrase) opts.passphrase = c.passphrase.reveal();
  return new PersistentSshAgent(opts, make);
}
