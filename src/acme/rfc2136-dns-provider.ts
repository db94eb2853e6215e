// DnsProvider by RFC 2136 dynamic updates signed with TSIG (RFC 8945), sent by `nsupdate` (Debian
// package bind9-dnsutils). The update script, with the TSIG secret on its `key` line, goes to
// nsupdate's stdin: the secret is never on argv (which any user may read in /proc) nor in a
// message. A refusal names the DNS response code (REFUSED, NOTAUTH, ...) and what to check.
import { InvalidInputError, PreconditionError, UnavailableError } from '../core/errors.js';
import type { DnsProvider } from '../core/ports/certificate-issuer.js';
import { REDACTION, type Sensitive } from '../core/sensitive.js';
import { run } from '../platform/exec.js';

export type TsigAlgorithm = 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512' | 'hmac-sha224' | 'hmac-sha1' | 'hmac-md5';
const ALGORITHMS: readonly string[] = ['hmac-sha256', 'hmac-sha384', 'hmac-sha512', 'hmac-sha224', 'hmac-sha1', 'hmac-md5'];

export interface Rfc2136Settings {
  /** The primary server accepting updates: "host" or "host:port" (default port 53). */
  server: string;
  /** The zone to update; without it nsupdate finds the zone by asking for the SOA. */
  zone?: string;
  keyName: string;
  algorithm: TsigAlgorithm;
  /** The TSIG secret, base64. */
  secret: Sensitive;
  /** The nsupdate program (default "nsupdate" on PATH). */
  nsupdate?: string;
  /** Per update (default 30 s). */
  timeoutMs?: number;
}

const NAME = /^[A-Za-z0-9_*-]+(\.[A-Za-z0-9_-]+)*\.?$/;
const TXT_VALUE = /^[\x21\x23-\x5b\x5d-\x7e ]{1,255}$/; // printable, without " and \

export class Rfc2136DnsProvider implements DnsProvider {
  readonly name = 'rfc2136';
  readonly #s: Rfc2136Settings;
  readonly #host: string;
  readonly #port: number;

  constructor(settings: Rfc2136Settings) {
    const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+)(?::(\d{1,5}))?$/.exec(settings.server.trim());
    const port = m?.[2] === undefined ? 53 : Number(m[2]);
    if (!m?.[1] || port < 1 || port > 65535) {
      throw new InvalidInputError(`server ${JSON.stringify(settings.server)} is not "host" or "host:port": give the DNS primary that accepts updates, e.g. 192.0.2.53:53`);
    }
    if (settings.zone !== undefined && !NAME.test(settings.zone)) {
      throw new InvalidInputError(`zone ${JSON.stringify(settings.zone)} is not a DNS name: give the zone to update, e.g. example.com`);
    }
    if (!NAME.test(settings.keyName)) {
      throw new InvalidInputError(`keyName ${JSON.stringify(settings.keyName)} is not a TSIG key name: give the key's name as the DNS server knows it`);
    }
    if (!ALGORITHMS.includes(settings.algorithm)) {
      throw new InvalidInputError(`algorithm ${JSON.stringify(settings.algorithm)} is not a TSIG algorithm: use one of ${ALGORITHMS.join(', ')}`);
    }
    const secret = settings.secret.reveal();
    if (secret.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(secret)) {
      throw new InvalidInputError('secret is not a base64 TSIG secret: give the secret of the key as the DNS server has it (tsig-keygen prints it)');
    }
    this.#s = settings;
    this.#host = m[1].replace(/^\[|\]$/g, '');
    this.#port = port;
  }

  async setTxt(fqdn: string, value: string, ttlSeconds: number): Promise<void> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0 || ttlSeconds > 2147483647) {
      throw new InvalidInputError(`ttlSeconds ${ttlSeconds} is not a TTL: give whole seconds, e.g. 60`);
    }
    return this.#update('add', fqdn, value, `update add ${absolute(fqdn)} ${ttlSeconds} IN TXT "${value}"`);
  }

  async removeTxt(fqdn: string, value: string): Promise<void> {
    return this.#update('remove', fqdn, value, `update delete ${absolute(fqdn)} IN TXT "${value}"`);
  }

  async #update(what: 'add' | 'remove', fqdn: string, value: string, line: string): Promise<void> {
    if (!NAME.test(fqdn)) throw new InvalidInputError(`fqdn ${JSON.stringify(fqdn)} is not a DNS name`);
    if (!TXT_VALUE.test(value)) throw new InvalidInputError('value: a TXT value of 1 to 255 printable characters without quotes or backslashes');
    const secret = this.#s.secret.reveal();
    const script = [
      `server ${this.#host} ${this.#port}`,
      ...(this.#s.zone ? [`zone ${absolute(this.#s.zone)}`] : []),
      `key ${this.#s.algorithm}:${this.#s.keyName} ${secret}`,
      line,
      'send',
      '',
    ].join('\n');
    const redact = (text: string) => text.split(secret).join(REDACTION);
    const result = await run([this.#s.nsupdate ?? 'nsupdate', '-v'], {
      input: script,
      redact,
      timeoutMs: this.#s.timeoutMs ?? 30_000,
      name: 'nsupdate',
    });
    if (result.code === 0) return;
    const output = `${result.stderr}\n${result.stdout}`;
    const where = `${this.#host}:${this.#port}`;
    const action = `${what === 'add' ? 'adding' : 'removing'} TXT ${fqdn} by RFC 2136 update at ${where}`;
    const rcode = /update failed: ([A-Z]+)/.exec(output)?.[1];
    if (rcode) throw new PreconditionError(`${action} failed: ${rcode} (${RCODE_HINT[rcode] ?? 'see the DNS server log'})`, { rcode });
    if (/tsig|bad ?sig|badkey|bad key/i.test(output)) {
      throw new PreconditionError(`${action} failed: the server rejected the TSIG signature (${lastLine(output)}): check keyName, algorithm and secret`);
    }
    if (result.timedOut || /timed out|communication with server failed|connection refused|couldn't get address/i.test(output)) {
      throw new UnavailableError(`${action} failed: the DNS server did not answer (${lastLine(output) || 'timed out'})`);
    }
    throw new PreconditionError(`${action} failed: nsupdate exited with ${result.code ?? result.signal}: ${lastLine(output)}`);
  }
}

const RCODE_HINT: Record<string, string> = {
  REFUSED: 'the server does not allow this key to update this name: check its allow-update or update-policy',
  NOTAUTH: 'the server is not authoritative for the zone or did not accept the TSIG key: check zone, keyName, algorithm and secret',
  NOTZONE: 'the name is not in the zone: check the zone setting',
  SERVFAIL: 'the server failed to apply the update: see its log',
  YXDOMAIN: 'a prerequisite failed',
  NXRRSET: 'a prerequisite failed',
};

function absolute(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l);
  return (lines.at(-1) ?? '').slice(0, 300);
}
