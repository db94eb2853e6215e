// Finds the control plane: SLIPWAY_URL/SLIPWAY_TOKEN first, else the server.json and
// admin.token that a running `slipway server` writes into its data directory; for a user whose
// own data dir has no server, the one a server running as root writes into /var/lib/slipway.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Sensitive } from '../core/sensitive.js';
import type { Settings } from '../platform/env.js';
import { ROOT_DATA_DIR } from '../platform/default-data-dir.js';
import { START_HINT, ServerUnreachableError } from './server-unreachable.js';

export interface Connection {
  url: string;
  token: Sensitive;
  /** Where the URL came from, for messages. */
  source: 'environment' | 'data-dir';
}

export type ConnectionSettings = Pick<Settings, 'url' | 'token' | 'dataDir'>;

export interface DiscoveryOptions {
  /** The CLI's uid (default: this process's). */
  uid?: number | undefined;
  /** Where a server running as root keeps its files (default /var/lib/slipway). */
  rootDataDir?: string;
}

export async function discoverConnection(settings: ConnectionSettings, opts: DiscoveryOptions = {}): Promise<Connection> {
  const uid = 'uid' in opts ? opts.uid : process.getuid?.();
  const rootDataDir = opts.rootDataDir ?? ROOT_DATA_DIR;
  if (!settings.url && uid !== 0 && path.resolve(settings.dataDir) !== path.resolve(rootDataDir)) {
    const own = path.join(settings.dataDir, 'server.json');
    const rootServer = path.join(rootDataDir, 'server.json');
    if (!(await exists(own)) && (await exists(rootServer))) return fromDataDir({ ...settings, dataDir: rootDataDir }, true);
  }
  return fromDataDir(settings, false);
}

async function fromDataDir(settings: ConnectionSettings, rootsServer: boolean): Promise<Connection> {
  const serverFile = path.join(settings.dataDir, 'server.json');
  const tokenFile = path.join(settings.dataDir, 'admin.token');
  const asRootHint = (file: string, set: string) =>
    `a Slipway server runs as root (data dir ${settings.dataDir}) and ${file} is not readable by this user; run the CLI as root, or set ${set}`;
  if (settings.url) {
    const token = settings.token ?? (await readToken(tokenFile, null));
    if (!token) {
      throw new ServerUnreachableError(`SLIPWAY_URL is set but no token was found: set SLIPWAY_TOKEN (or create ${tokenFile})`);
    }
    return { url: trimSlash(settings.url), token: new Sensitive(token), source: 'environment' };
  }
  const server = await readServerFile(serverFile, rootsServer ? asRootHint(serverFile, 'SLIPWAY_URL and SLIPWAY_TOKEN') : null);
  const token = settings.token ?? (await readToken(tokenFile, rootsServer ? asRootHint(tokenFile, 'SLIPWAY_TOKEN') : null));
  if (!token) {
    throw new ServerUnreachableError(`found a Slipway server at ${server.url} (${serverFile}) but no token: ${tokenFile} is missing or empty; set SLIPWAY_TOKEN`);
  }
  return { url: trimSlash(server.url), token: new Sensitive(token), source: 'data-dir' };
}

async function readServerFile(file: string, deniedHint: string | null): Promise<{ url: string; pid: number | null }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (deniedHint && isCode(err, 'EACCES')) throw new ServerUnreachableError(deniedHint, { file, denied: true });
    if (isCode(err, 'ENOENT')) throw new ServerUnreachableError(`no Slipway server found: ${START_HINT} (looked for ${file})`, { file });
    throw new ServerUnreachableError(`no Slipway server found: cannot read ${file} (${(err as Error).message}); ${START_HINT}`, { file });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ServerUnreachableError(`no Slipway server found: ${file} is not valid JSON; ${START_HINT}`, { file });
  }
  const rec = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { url?: unknown; pid?: unknown };
  if (typeof rec.url !== 'string' || !/^https?:\/\//.test(rec.url)) {
    throw new ServerUnreachableError(`no Slipway server found: ${file} has no "url"; ${START_HINT}`, { file });
  }
  const pid = typeof rec.pid === 'number' && Number.isInteger(rec.pid) && rec.pid > 0 ? rec.pid : null;
  if (pid !== null && !processAlive(pid)) {
    throw new ServerUnreachableError(`no Slipway server found: ${file} names pid ${pid}, which is not running (a stale file); ${START_HINT}`, { file, pid });
  }
  return { url: rec.url, pid };
}

async function readToken(file: string, deniedHint: string | null): Promise<string | undefined> {
  try {
    const token = (await readFile(file, 'utf8')).trim();
    return token || undefined;
  } catch (err) {
    if (deniedHint && isCode(err, 'EACCES')) throw new ServerUnreachableError(deniedHint, { file, denied: true });
    if (isCode(err, 'ENOENT')) return undefined;
    throw new ServerUnreachableError(`cannot read the admin token ${file}: ${(err as Error).message}`, { file });
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    return !isCode(err, 'ENOENT') && !isCode(err, 'ENOTDIR');
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isCode(err, 'EPERM'); // exists, owned by someone else
  }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
