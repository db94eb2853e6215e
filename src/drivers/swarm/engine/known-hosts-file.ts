// Reads the known_hosts file that the Engine's SSH host key is checked against.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../../core/errors.js';
import type { KnownHostsFile } from './host-key-check.js';

/** `~/.ssh/known_hosts` of the user Slipway runs as, like ssh's default. */
export function defaultKnownHostsPath(): string {
  return path.join(os.homedir(), '.ssh', 'known_hosts');
}

/**
 * The file's text; a missing file reads as empty (every host is then unknown, and the
 * connection error says how to add the host). No path: ~/.ssh/known_hosts; a leading `~/` is
 * the home directory. `setting` names the setting in errors.
 */
export async function readKnownHostsFile(given?: string, setting = 'SLIPWAY_DOCKER_SSH_KNOWN_HOSTS'): Promise<KnownHostsFile> {
  const file = !given ? defaultKnownHostsPath() : given.startsWith('~/') ? path.join(os.homedir(), given.slice(2)) : given;
  try {
    return { path: file, text: await readFile(file, 'utf8') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { path: file, text: '' };
    throw new ConfigError(`${setting}: ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); it must be a known_hosts file readable by the Slipway server`);
  }
}
