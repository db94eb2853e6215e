// Credentials for fetching a repository, handed to git through GIT_CONFIG_* environment
// variables (never argv, never the URL): an HTTP token becomes an Authorization header scoped to
// the repository's origin; a deploy key is written 0600 to a temp file named by core.sshCommand.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InvalidInputError } from '../core/errors.js';
import type { Sensitive } from '../core/sensitive.js';
import type { RepoLocation } from './repo-location.js';

export type GitCredentials =
  | {
      kind: 'token';
      token: Sensitive;
      /** Basic-auth user sent with the token: GitHub "x-access-token" (default), GitLab "oauth2", Gitea any. */
      username?: string;
    }
  | {
      kind: 'ssh_key';
      /** The private key (OpenSSH or PEM format). */
      privateKey: Sensitive;
      /** known_hosts lines to trust; when absent the host key is trusted on first use. */
      knownHosts?: string;
    };

/** What one git invocation needs for its credentials. Call `cleanup` when git has exited. */
export interface PreparedCredentials {
  config: Array<[string, string]>;
  /** Values to redact from anything git prints. */
  secrets: string[];
  cleanup(): Promise<void>;
}

const NONE: PreparedCredentials = { config: [], secrets: [], cleanup: async () => {} };

/** `tofuKnownHosts` is the known_hosts file used when the credentials name no host keys. */
export async function prepareCredentials(
  loc: RepoLocation,
  creds: GitCredentials | undefined,
  tofuKnownHosts: string,
): Promise<PreparedCredentials> {
  if (loc.transport === 'ssh') return prepareSsh(creds, tofuKnownHosts);
  if (!creds) return NONE;
  if (creds.kind === 'token') {
    if (loc.transport !== 'http' || loc.origin === null) {
      throw new InvalidInputError(`a git token works with https:// repositories only; ${loc.url} is not one`);
    }
    const token = creds.token.reveal();
    const user = creds.username ?? 'x-access-token';
    if (/[\r\n]/.test(token) || /[\r\n:]/.test(user)) {
      throw new InvalidInputError('the git token or its username contains a line break or ":"; store the token alone');
    }
    const basic = Buffer.from(`${user}:${token}`).toString('base64');
    return {
      config: [[`http.${loc.origin}.extraHeader`, `Authorization: Basic ${basic}`]],
      secrets: [token, basic],
      cleanup: async () => {},
    };
  }
  throw new InvalidInputError(`a deploy key works with ssh repositories only (ssh:// or git@host:path); ${loc.url} is not one`);
}

async function prepareSsh(creds: GitCredentials | undefined, tofuKnownHosts: string): Promise<PreparedCredentials> {
  const base = ['ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=20'];
  if (!creds) {
    return { config: [['core.sshCommand', sshCommand([...base, '-o', 'StrictHostKeyChecking=accept-new', '-o', `UserKnownHostsFile=${tofuKnownHosts}`])]], secrets: [], cleanup: async () => {} };
  }
  if (creds.kind !== 'ssh_key') {
    throw new InvalidInputError('a git token works with https:// repositories only; use a deploy key for ssh repositories');
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-ssh-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const keyFile = path.join(dir, 'key');
    let key = creds.privateKey.reveal();
    if (!key.endsWith('\n')) key += '\n'; // ssh rejects a key file without a final newline
    await writeFile(keyFile, key, { mode: 0o600 });
    const argv = [...base, '-i', keyFile, '-o', 'IdentitiesOnly=yes', '-F', '/dev/null'];
    if (creds.knownHosts !== undefined) {
      const kh = path.join(dir, 'known_hosts');
      await writeFile(kh, creds.knownHosts, { mode: 0o600 });
      argv.push('-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${kh}`);
    } else {
      argv.push('-o', 'StrictHostKeyChecking=accept-new', '-o', `UserKnownHostsFile=${tofuKnownHosts}`);
    }
    const secrets = key.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));
    return { config: [['core.sshCommand', sshCommand(argv)]], secrets, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** git runs core.sshCommand through sh; every word is single-quoted so paths stay literal. */
export function sshCommand(argv: readonly string[]): string {
  return argv
    .map((a) => {
      if (a.includes("'")) throw new InvalidInputError(`ssh argument ${JSON.stringify(a)} must not contain a single quote`);
      return /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a}'`;
    })
    .join(' ');
}
