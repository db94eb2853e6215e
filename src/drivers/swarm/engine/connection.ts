// How to reach a Docker Engine: its local socket, TCP with TLS, or SSH. Parsed from a
// DOCKER_HOST-style URL plus credentials (TLS keys and SSH keys are secrets) and, for SSH,
// the known_hosts file the server's host key must be in.
import { ConfigError } from '../../../core/errors.js';
import type { Sensitive } from '../../../core/sensitive.js';
import type { KnownHostsFile } from './host-key-check.js';

export type EngineConnection =
  | { kind: 'socket'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls: EngineTls | null }
  | {
      kind: 'ssh';
      host: string;
      port: number;
      username: string;
      privateKey: Sensitive | null;
      passphrase?: Sensitive;
      /** The server's host key must be in this file (strict, like ssh with StrictHostKeyChecking=yes). */
      knownHosts: KnownHostsFile;
    };

export interface EngineTls {
  ca: string;
  cert: string;
  key: Sensitive;
}

export interface EngineCredentials {
  tls?: EngineTls;
  sshPrivateKey?: Sensitive;
  sshPassphrase?: Sensitive;
  /** Required for ssh:// hosts (see readKnownHostsFile). */
  sshKnownHosts?: KnownHostsFile;
}

/** `unix:///var/run/docker.sock`, `tcp://host:2376` (TLS when credentials give one), `ssh://user@host[:22]`. */
export function parseDockerHost(url: string, creds: EngineCredentials = {}): EngineConnection {
  const fix = 'use unix:///path/docker.sock, tcp://HOST:2376 or ssh://USER@HOST';
  if (url.startsWith('unix://')) {
    const socketPath = url.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new ConfigError(`Docker host ${url}: expected an absolute socket path; ${fix}`);
    return { kind: 'socket', socketPath };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`Docker host ${JSON.stringify(url)} is not a URL; ${fix}`);
  }
  if (parsed.protocol === 'tcp:' || parsed.protocol === 'https:' || parsed.protocol === 'http:') {
    const tls = creds.tls ?? null;
    const port = parsed.port ? Number(parsed.port) : tls ? 2376 : 2375;
    if (!tls && parsed.hostname !== '127.0.0.1' && parsed.hostname !== 'localhost') {
      throw new ConfigError(
        `Docker host ${url}: a remote Engine over TCP needs TLS (give the CA, client certificate and key); plain TCP is only allowed to 127.0.0.1`,
      );
    }
    return { kind: 'tcp', host: parsed.hostname, port, tls };
  }
  if (parsed.protocol === 'ssh:') {
    if (!parsed.username) throw new ConfigError(`Docker host ${url}: expected a user, like ssh://deploy@${parsed.hostname}`);
    if (!creds.sshKnownHosts) {
      throw new ConfigError(`Docker host ${url}: the SSH host key must be checked against a known_hosts file, and none was given (read one with readKnownHostsFile)`);
    }
    const conn: EngineConnection = {
      kind: 'ssh',
      host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), // IPv6 without the URL's brackets
      port: parsed.port ? Number(parsed.port) : 22,
      username: decodeURIComponent(parsed.username),
      privateKey: creds.sshPrivateKey ?? null,
      knownHosts: creds.sshKnownHosts,
    };
    if (creds.sshPassphrase) conn.passphrase = creds.sshPassphrase;
    return conn;
  }
  throw new ConfigError(`Docker host ${url}: unsupported scheme ${parsed.protocol}; ${fix}`);
}

/** For logs: where we connect, never with credentials. */
export function describeConnection(c: EngineConnection): string {
  switch (c.kind) {
    case 'socket':
      return `unix://${c.socketPath}`;
    case 'tcp':
      return `tcp://${c.host}:${c.port}${c.tls ? ' (TLS)' : ''}`;
    case 'ssh':
      return `ssh://${c.username}@${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}`;
  }
}
