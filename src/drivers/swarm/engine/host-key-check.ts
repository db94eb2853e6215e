// Strict SSH host key checking for the Engine's SSH connection: the key the server presents
// must be in the known_hosts file for that host, as `ssh` with StrictHostKeyChecking=yes
// requires. A refusal becomes a ConfigError that shows the presented key's fingerprint and
// says how to add the key (unknown host) or warns loudly (changed or revoked key).
import { ConfigError } from '../../../core/errors.js';
import { checkHostKey, fingerprintSha256, keyTypeOfBlob, knownKeyTypes, parseKnownHosts, type KnownHosts } from './known-hosts.js';

/** A known_hosts file as read by the caller: its path (for messages) and its text ('' when missing). */
export interface KnownHostsFile {
  path: string;
  text: string;
}

/** ssh2's host key algorithms for each key type of a known_hosts line. */
const ALGORITHMS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

export class HostKeyCheck {
  readonly #file: KnownHostsFile;
  readonly #known: KnownHosts;
  /** Why the last presented key was refused (set by `verify`). */
  refusal: ConfigError | null = null;

  constructor(
    file: KnownHostsFile,
    readonly host: string,
    readonly port: number,
  ) {
    this.#file = file;
    this.#known = parseKnownHosts(file.text);
  }

  /** ssh2's synchronous `hostVerifier`: the raw key blob the server presented; true to accept. */
  verify(key: Buffer): boolean {
    const verdict = checkHostKey(this.#known, this.host, this.port, key);
    if (verdict.status === 'known') {
      this.refusal = null;
      return true;
    }
    const fp = fingerprintSha256(key);
    const type = keyTypeOfBlob(key) ?? 'unknown-type';
    const where = `${this.host.includes(':') ? `[${bareHost(this.host)}]` : this.host}:${this.port}`;
    const file = this.#file.path;
    const details = { host: this.host, port: this.port, knownHosts: file, keyType: type, fingerprint: fp, reason: verdict.status };
    const add = `ssh-keyscan -p ${this.port} ${bareHost(this.host)} >> ${shellWord(file)}`;
    const check = `check that fingerprint against the server's own (on the server: ssh-keygen -lf /etc/ssh/ssh_host_${shortType(type)}_key.pub)`;
    switch (verdict.status) {
      case 'unknown': {
        const notes: string[] = [];
        if (this.#known.entries.length === 0) notes.push(`${file} has no host keys (missing or empty)`);
        if (verdict.otherTypes.length > 0) notes.push(`${file} knows this host only with other key types (${verdict.otherTypes.join(', ')}) that the server did not offer`);
        if (verdict.certAuthorityLines.length > 0) {
          notes.push(`@cert-authority lines (${lineList(verdict.certAuthorityLines)}) are not supported: add the host's own key`);
        }
        if (this.#known.problems.length > 0) notes.push(`unreadable lines skipped: ${this.#known.problems.map((p) => `${p.line} (${p.reason})`).join('; ')}`);
        this.refusal = new ConfigError(
          `the SSH host key of ${where} is not in ${file}: the server presented an ${type} key with fingerprint ${fp}. ` +
            `Slipway only connects to known hosts: ${check}, then add the key with \`${add}\`` +
            (notes.length > 0 ? `. Note: ${notes.join('; ')}` : ''),
          details,
        );
        break;
      }
      case 'changed':
        this.refusal = new ConfigError(
          `WARNING: THE SSH HOST KEY OF ${where} HAS CHANGED. Someone may be intercepting the connection (man in the middle), ` +
            `or the server's host key was replaced. ${file} (${lineList(verdict.lines)}) has a different ${type} key; ` +
            `the server presented ${fp}. Slipway refuses to connect. Only if the change is expected: ${check}, ` +
            `remove the old key with \`ssh-keygen -R '${hostPattern(this.host, this.port)}' -f ${shellWord(file)}\` and add the new one with \`${add}\``,
          { ...details, lines: verdict.lines },
        );
        break;
      case 'revoked':
        this.refusal = new ConfigError(
          `WARNING: the SSH host key of ${where} (${type} ${fp}) is REVOKED in ${file} (line ${verdict.line}); Slipway refuses to connect. ` +
            `The server must get a new host key; the revoked one may be in an attacker's hands`,
          { ...details, line: verdict.line },
        );
        break;
    }
    return false;
  }

  /**
   * ssh2's `algorithms.serverHostKey`: the algorithms of the key types known for this host
   * first (so a server with several host keys presents the one we know, as ssh does).
   */
  serverHostKeyAlgorithms(): { remove: string[]; prepend: string[] } {
    const algs = knownKeyTypes(this.#known, this.host, this.port).flatMap((t) => ALGORITHMS[t] ?? []);
    return { remove: algs, prepend: algs };
  }
}

function lineList(lines: number[]): string {
  return `${lines.length === 1 ? 'line' : 'lines'} ${lines.join(', ')}`;
}

/** A path as one word of a shell command the operator can paste. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function bareHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}

function hostPattern(host: string, port: number): string {
  return port === 22 ? bareHost(host) : `[${bareHost(host)}]:${port}`;
}

/** The file name part of sshd's host key files: ssh_host_ed25519_key, ssh_host_ecdsa_key, ssh_host_rsa_key. */
function shortType(type: string): string {
  if (type === 'ssh-ed25519') return 'ed25519';
  if (type.startsWith('ecdsa-')) return 'ecdsa';
  if (type === 'ssh-rsa') return 'rsa';
  return '*';
}
