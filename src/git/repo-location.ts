// Where a repository lives: a local path (made absolute) or a URL (file://, http(s)://, ssh://,
// scp-like git@host:path). Pure parsing; the mirror key is derived from the normalized form.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { InvalidInputError } from '../core/errors.js';

export type RepoTransport = 'local' | 'file' | 'http' | 'ssh';

export interface RepoLocation {
  /** What git is given (absolute path or URL). Never carries a password. */
  url: string;
  transport: RepoTransport;
  /** For http(s): scheme://host[:port]/ used to scope the auth header. */
  origin: string | null;
}

const SCP_LIKE = /^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+:(?!\/\/)[^\s]+$/;

/** Parses what a user configured as an app's repository; throws InvalidInputError with the fix. */
export function parseRepoLocation(repo: string): RepoLocation {
  const raw = repo.trim();
  if (raw === '' || /[\0-\x1f\x7f]/.test(raw)) {
    throw new InvalidInputError(`repository ${JSON.stringify(repo)}: expected a path or a git URL (https://, ssh://, git@host:path, file://)`);
  }
  if (raw.startsWith('-')) {
    throw new InvalidInputError(`repository ${JSON.stringify(repo)}: must not start with "-"`);
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw)) return parseUrl(raw);
  if (raw.includes('::')) {
    throw new InvalidInputError(`repository ${JSON.stringify(repo)}: git remote-helper syntax ("<transport>::<address>") is not supported`);
  }
  if (SCP_LIKE.test(raw) && !raw.startsWith('/') && !raw.startsWith('.')) {
    return { url: raw, transport: 'ssh', origin: null };
  }
  return { url: path.resolve(raw), transport: 'local', origin: null };
}

function parseUrl(raw: string): RepoLocation {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new InvalidInputError(`repository ${JSON.stringify(raw)}: not a valid URL`);
  }
  const scheme = u.protocol.slice(0, -1).toLowerCase();
  if (u.password !== '') {
    throw new InvalidInputError(
      'repository URL contains a password or token: remove it from the URL and store it as the app\'s git token instead (it would otherwise show up in process lists)',
    );
  }
  switch (scheme) {
    case 'file':
      return { url: `file://${u.pathname}`, transport: 'file', origin: null };
    case 'http':
    case 'https':
      return { url: u.href, transport: 'http', origin: `${u.protocol}//${u.host}/` };
    case 'ssh':
    case 'git+ssh':
      return { url: raw, transport: 'ssh', origin: null };
    default:
      throw new InvalidInputError(`repository ${JSON.stringify(raw)}: unsupported scheme "${scheme}" (use https://, ssh://, git@host:path, file:// or a local path)`);
  }
}

/** Stable short name of the mirror directory for a repository. */
export function mirrorKey(loc: RepoLocation): string {
  return createHash('sha256').update(loc.url).digest('hex').slice(0, 16);
}
