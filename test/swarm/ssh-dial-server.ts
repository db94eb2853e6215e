// A real SSH server (ssh2's Server) on 127.0.0.1:0 that answers `docker system dial-stdio`
// by piping the channel to a local Docker socket, as the docker CLI does on a remote host.
// Its host keys are generated per server; `knownHostsLines` gives the known_hosts lines for them.
import { createRequire } from 'node:module';
import net from 'node:net';
import type { Duplex } from 'node:stream';

export interface SshDialServer {
  port: number;
  /** An ed25519 private key (OpenSSH format) the server accepts. */
  clientKey: string;
  /** The server's host public keys, as in a known_hosts line: `TYPE BASE64`. */
  hostPublicKeys: string[];
  /** known_hosts lines for `[127.0.0.1]:PORT` (all host keys, or those of the given types). */
  knownHostsLines(types?: string[]): string;
  connections: number;
  channels: number;
  commands: string[];
  close(): Promise<void>;
}

interface Ssh2 {
  Server: new (cfg: { hostKeys: string[] }, onClient: (client: SshConn) => void) => net.Server;
  utils: {
    generateKeyPairSync(type: HostKeyType, opts?: { bits?: number }): { private: string; public: string };
    parseKey(k: string): { getPublicSSH(): Buffer } | Error;
  };
}
interface SshConn {
  on(ev: 'authentication', cb: (ctx: { method: string; username: string; key?: { data: Buffer }; accept(): void; reject(m?: string[]): void }) => void): SshConn;
  on(ev: 'ready', cb: () => void): SshConn;
  on(ev: 'session', cb: (accept: () => SshSession) => void): SshConn;
  on(ev: 'error' | 'close', cb: () => void): SshConn;
  end(): void;
}
interface SshSession {
  on(ev: 'exec', cb: (accept: () => Duplex & { exit(code: number): void }, reject: () => void, info: { command: string }) => void): void;
}

export type HostKeyType = 'ed25519' | 'ecdsa' | 'rsa';

const BITS: Record<HostKeyType, number | undefined> = { ed25519: undefined, ecdsa: 256, rsa: 2048 };

/**
 * A fresh key pair as ssh2 makes it; `public` is `TYPE BASE64`. ssh2 1.17 strips leading zero
 * bytes of an ed25519 public key, so about 1 in 256 of its ed25519 pairs cannot be parsed back
 * (mscdex/ssh2#1390, #1513): those are generated again.
 */
export function generateSshKey(type: HostKeyType): { private: string; public: string } {
  const ssh2 = createRequire(import.meta.url)('ssh2') as Ssh2;
  const bits = BITS[type];
  for (let attempt = 0; attempt < 20; attempt++) {
    const k = ssh2.utils.generateKeyPairSync(type, bits ? { bits } : undefined);
    if (ssh2.utils.parseKey(k.private) instanceof Error || ssh2.utils.parseKey(k.public) instanceof Error) continue;
    return { private: k.private, public: k.public.split(' ').slice(0, 2).join(' ') };
  }
  throw new Error(`ssh2 generated 20 unparseable ${type} keys in a row`);
}

export async function startSshDialServer(socketPath: string, opts: { hostKeyTypes?: HostKeyType[] } = {}): Promise<SshDialServer> {
  const require = createRequire(import.meta.url);
  const ssh2 = require('ssh2') as Ssh2;
  const hostKeys = (opts.hostKeyTypes ?? ['ed25519']).map(generateSshKey);
  const clientKey = generateSshKey('ed25519');
  const allowed = Buffer.from(clientKey.public.split(' ')[1] ?? '', 'base64');
  const conns = new Set<SshConn>();
  const state: SshDialServer = {
    port: 0,
    clientKey: clientKey.private,
    hostPublicKeys: hostKeys.map((k) => k.public),
    knownHostsLines: (types) =>
      hostKeys
        .map((k) => k.public)
        .filter((k) => !types || types.some((t) => k.startsWith(`${t} `)))
        .map((k) => `[127.0.0.1]:${state.port} ${k}\n`)
        .join(''),
    connections: 0,
    channels: 0,
    commands: [],
    close: async () => {
      for (const c of conns) c.end();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = new ssh2.Server({ hostKeys: hostKeys.map((k) => k.private) }, (client) => {
    state.connections += 1;
    conns.add(client);
    client
      .on('authentication', (ctx) => {
        if (ctx.method === 'publickey' && ctx.key && ctx.key.data.equals(allowed)) ctx.accept();
        else ctx.reject(['publickey']);
      })
      .on('session', (accept) => {
        accept().on('exec', (acceptExec, reject, info) => {
          state.commands.push(info.command);
          if (info.command !== 'docker system dial-stdio') return reject();
          state.channels += 1;
          const channel = acceptExec();
          const sock = net.connect(socketPath);
          channel.pipe(sock).pipe(channel);
          sock.on('error', () => channel.exit(1));
          channel.on('close', () => sock.destroy());
        });
      })
      .on('error', () => undefined)
      .on('close', () => conns.delete(client));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.port = (server.address() as net.AddressInfo).port;
  return state;
}
