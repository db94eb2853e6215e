// A repository given to the CLI as a local path is the caller's, relative to the caller's cwd;
// the server runs elsewhere, so the CLI makes it absolute before sending it. URLs and git's
// scp-like remotes (git@host:owner/repo, host:repo) are the server's to reach and go as given.
import path from 'node:path';

/** `value` made absolute against `cwd` when it is a local path; otherwise unchanged. */
export function repoForServer(value: string, cwd: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) return value; // https://, ssh://, file://, git://
  if (path.isAbsolute(value)) return path.normalize(value);
  // git's rule: a colon before the first slash makes it an scp-like remote (./a:b does not).
  const colon = value.indexOf(':');
  const slash = value.indexOf('/');
  if (colon > 0 && (slash < 0 || colon < slash)) return value;
  return path.resolve(cwd, value);
}
