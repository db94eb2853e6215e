// OpenSSH known_hosts files: parsed into entries and matched against the host key an SSH
// server presents, as `ssh` does with StrictHostKeyChecking=yes. Supports plain and
// `[host]:port` patterns (comma lists, `*`/`?` wildcards, `!` negation), hashed hosts
// (`|1|salt|hmac-sha1`), `@revoked` lines; `@cert-authority` lines are kept but not used
// (host certificates are not supported).
import { createHash, createHmac } from 'node:crypto';

export interface KnownHostsEntry {
  /** 1-based line number in the file. */
  line: number;
  marker: 'revoked' | 'cert-authority' | null;
  /** The host field as written: a pattern list or one hashed host. */
  hosts: string;
  keyType: string;
  /** The decoded key blob (what the server sends in the key exchange). */
  key: Buffer;
}

export interface KnownHosts {
  entries: KnownHostsEntry[];
  /** Lines that were skipped because they could not be read. */
  problems: { line: number; reason: string }[];
}

export type HostKeyVerdict =
  | { status: 'known'; line: number }
  | { status: 'revoked'; line: number }
  /** The host is known with another key of the same type: possibly an attack. */
  | { status: 'changed'; lines: number[] }
  /** No line for this host has a key of this type; `otherTypes` are the types it is known with. */
  | { status: 'unknown'; otherTypes: string[]; certAuthorityLines: number[] };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function parseKnownHosts(text: string): KnownHosts {
  const out: KnownHosts = { entries: [], problems: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/[ \t]+/);
    let marker: KnownHostsEntry['marker'] = null;
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return void out.problems.push({ line, reason: `unknown marker ${m}` });
    }
    const [hosts, keyType, b64] = fields;
    if (hosts === undefined || keyType === undefined || b64 === undefined) {
      return void out.problems.push({ line, reason: 'expected "HOSTS KEYTYPE BASE64KEY"' });
    }
    if (!BASE64.test(b64)) return void out.problems.push({ line, reason: 'the key is not base64' });
    const key = Buffer.from(b64, 'base64');
    const blobType = keyTypeOfBlob(key);
    if (blobType !== keyType) {
      return void out.problems.push({ line, reason: `the key field is a ${blobType ?? 'malformed key'}, not ${keyType}` });
    }
    out.entries.push({ line, marker, hosts, keyType, key });
  });
  return out;
}

/** The key type a raw SSH public key blob starts with (`ssh-ed25519`, `ssh-rsa`, ...), or null. */
export function keyTypeOfBlob(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || blob.length < 4 + len) return null;
  const type = blob.subarray(4, 4 + len).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : null;
}

/** The name a host is looked up by: `host` on port 22, `[host]:port` otherwise (lowercased, IPv6 without brackets). */
export function hostLookupName(host: string, port: number): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return port === 22 ? bare : `[${bare}]:${port}`;
}

/** Whether a host field (pattern list or hashed host) names `name` (from hostLookupName). */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) return hashedHostMatches(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(',')) {
    const negated = pattern.startsWith('!');
    const p = (negated ? pattern.slice(1) : pattern).toLowerCase();
    if (p === '' || !wildcardMatch(p, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function hashedHostMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && expected.equals(actual);
}

/** OpenSSH's `*` (any run) and `?` (one character) patterns. */
function wildcardMatch(pattern: string, s: string): boolean {
  let p = 0;
  let i = 0;
  let star = -1;
  let mark = 0;
  while (i < s.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === s[i])) {
      p++;
      i++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = i;
    } else if (star !== -1) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * What the known_hosts file says about `presented` (the raw key blob) for host:port.
 * A key on an `@revoked` line is refused for every host ("must not ever be accepted").
 */
export function checkHostKey(known: KnownHosts, host: string, port: number, presented: Buffer): HostKeyVerdict {
  const revoked = known.entries.find((e) => e.marker === 'revoked' && e.key.equals(presented));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const name = hostLookupName(host, port);
  const forHost = known.entries.filter((e) => e.marker === null && hostFieldMatches(e.hosts, name));
  const match = forHost.find((e) => e.key.equals(presented));
  if (match) return { status: 'known', line: match.line };
  const type = keyTypeOfBlob(presented);
  const sameType = forHost.filter((e) => e.keyType === type);
  if (sameType.length > 0) return { status: 'changed', lines: sameType.map((e) => e.line) };
  const certAuthorityLines = known.entries.filter((e) => e.marker === 'cert-authority' && hostFieldMatches(e.hosts, name)).map((e) => e.line);
  return { status: 'unknown', otherTypes: [...new Set(forHost.map((e) => e.keyType))], certAuthorityLines };
}

/** The key types known_hosts has for host:port, in file order (to ask the server for those first). */
export function knownKeyTypes(known: KnownHosts, host: string, port: number): string[] {
  const name = hostLookupName(host, port);
  const types = known.entries.filter((e) => e.marker === null && hostFieldMatches(e.hosts, name)).map((e) => e.keyType);
  return [...new Set(types)];
}

/** `SHA256:...` as `ssh-keygen -l` and `ssh` print it (base64 without padding). */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
