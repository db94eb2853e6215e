// The settings of HTTPS at the edge's control plane side: the ACME CA and account, the challenge
// types to use, and the RFC 2136 DNS server for dns-01. Parsed from the variables env.ts read;
// keys (the EAB HMAC key, the TSIG secret) are Sensitive from here on.
import { z } from 'zod';
import { Sensitive } from '../core/sensitive.js';

export const LETS_ENCRYPT_DIRECTORY = 'https://acme-v02.api.letsencrypt.org/directory';

export type AcmeChallengeType = 'http-01' | 'tls-alpn-01' | 'dns-01';
const CHALLENGE_TYPES: readonly AcmeChallengeType[] = ['http-01', 'tls-alpn-01', 'dns-01'];
const TSIG_ALGORITHMS = ['hmac-sha256', 'hmac-sha384', 'hmac-sha512', 'hmac-sha224', 'hmac-sha1', 'hmac-md5'] as const;

export const httpsSettingsSchema = {
  SLIPWAY_ACME_DIRECTORY: z.string().url('expected the URL of an ACME directory, like https://acme-staging-v02.api.letsencrypt.org/directory').default(LETS_ENCRYPT_DIRECTORY),
  SLIPWAY_ACME_EMAIL: z.string().email('expected an e-mail address for the ACME account').optional(),
  SLIPWAY_ACME_EAB_KID: z.string().min(1).optional(),
  SLIPWAY_ACME_EAB_HMAC_KEY: z.string().regex(/^[A-Za-z0-9_=+/-]+$/, 'expected the base64url HMAC key your CA gave with the key id').optional(),
  SLIPWAY_ACME_CA_CERT: z.string().startsWith('/', 'expected the absolute path of a PEM file').optional(),
  SLIPWAY_ACME_CHALLENGES: z.string().optional(),
  SLIPWAY_DNS_RFC2136_SERVER: z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+|[0-9a-fA-F:]+)(:\d{1,5})?$/, 'expected HOST or HOST:PORT of the DNS server that takes dynamic updates').optional(),
  SLIPWAY_DNS_RFC2136_ZONE: z.string().regex(/^[A-Za-z0-9.-]+\.?$/, 'expected a zone name like example.com').optional(),
  SLIPWAY_DNS_RFC2136_KEY_NAME: z.string().min(1).optional(),
  SLIPWAY_DNS_RFC2136_KEY_ALGORITHM: z.enum(TSIG_ALGORITHMS).default('hmac-sha256'),
  SLIPWAY_DNS_RFC2136_KEY_SECRET: z.string().regex(/^[A-Za-z0-9+/=]+$/, 'expected the TSIG key secret in base64 (as in a BIND key file)').optional(),
  SLIPWAY_ON_DEMAND_MAX_PER_HOUR: z.coerce.number().int('expected a whole number of certificates').min(0).max(100_000).default(100),
};

const httpsObject = z.object(httpsSettingsSchema);
type Raw = z.output<typeof httpsObject>;

/** "ns.example", "ns.example:5353", "10.0.0.1:53", "[fd00::1]:53", "fd00::1" (port 53 when absent). */
function hostPort(v: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(v);
  if (bracketed) return { host: bracketed[1] ?? v, port: bracketed[2] ? Number(bracketed[2]) : 53 };
  const parts = v.split(':');
  if (parts.length === 2) return { host: parts[0] ?? v, port: Number(parts[1]) };
  return { host: v, port: 53 };
}

/** The shape src/acme/rfc2136-dns-provider.ts takes (`algorithm`, `secret` there). */
export interface Rfc2136Settings {
  /** "host" or "host:port" ("[v6]:port"), as given; port 53 when absent. */
  server: string;
  /** The zone to update; absent: nsupdate finds it by asking for the SOA. */
  zone: string | undefined;
  keyName: string;
  keyAlgorithm: (typeof TSIG_ALGORITHMS)[number];
  keySecret: Sensitive;
}

export interface AcmeSettings {
  directoryUrl: string;
  email: string | undefined;
  eab: { kid: string; hmacKey: Sensitive } | undefined;
  /** A PEM file trusted (besides the system's roots) for talking to the ACME server only: a test CA such as Pebble. */
  caCertFile: string | undefined;
  /** Challenge types to use, in order of preference. */
  challenges: AcmeChallengeType[];
}

export interface HttpsSettings {
  acme: AcmeSettings;
  /** The DNS server for dns-01 (wildcard hosts), when set. */
  dns: Rfc2136Settings | undefined;
  /** At most this many on-demand certificates per hour across all routes (0: none). */
  onDemandMaxPerHour: number;
}

/** Throws `[variable, message]` for the first problem. */
export function httpsSettings(s: Raw): HttpsSettings {
  if ((s.SLIPWAY_ACME_EAB_KID === undefined) !== (s.SLIPWAY_ACME_EAB_HMAC_KEY === undefined)) {
    const missing = s.SLIPWAY_ACME_EAB_KID === undefined ? 'SLIPWAY_ACME_EAB_KID' : 'SLIPWAY_ACME_EAB_HMAC_KEY';
    throw new HttpsSettingsIssue(missing, 'External Account Binding needs both SLIPWAY_ACME_EAB_KID and SLIPWAY_ACME_EAB_HMAC_KEY: set the other one too');
  }
  const dnsVars = ['SLIPWAY_DNS_RFC2136_SERVER', 'SLIPWAY_DNS_RFC2136_KEY_NAME', 'SLIPWAY_DNS_RFC2136_KEY_SECRET'] as const;
  const setDns = [...dnsVars, 'SLIPWAY_DNS_RFC2136_ZONE' as const].filter((v) => s[v] !== undefined);
  let dns: Rfc2136Settings | undefined;
  if (setDns.length > 0) {
    const missing = dnsVars.find((v) => s[v] === undefined);
    if (missing) throw new HttpsSettingsIssue(missing, `dns-01 through RFC 2136 needs ${dnsVars.join(', ')}: ${missing} is not set`);
    const { port } = hostPort(s.SLIPWAY_DNS_RFC2136_SERVER!);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new HttpsSettingsIssue('SLIPWAY_DNS_RFC2136_SERVER', `port ${port} is out of range`);
    dns = {
      server: s.SLIPWAY_DNS_RFC2136_SERVER!,
      zone: s.SLIPWAY_DNS_RFC2136_ZONE?.replace(/\.$/, '').toLowerCase(),
      keyName: s.SLIPWAY_DNS_RFC2136_KEY_NAME!,
      keyAlgorithm: s.SLIPWAY_DNS_RFC2136_KEY_ALGORITHM,
      keySecret: new Sensitive(s.SLIPWAY_DNS_RFC2136_KEY_SECRET!),
    };
  }
  let challenges: AcmeChallengeType[];
  if (s.SLIPWAY_ACME_CHALLENGES === undefined) {
    challenges = dns ? ['http-01', 'tls-alpn-01', 'dns-01'] : ['http-01', 'tls-alpn-01'];
  } else {
    const listed = s.SLIPWAY_ACME_CHALLENGES.split(/[\s,]+/).filter((c) => c !== '');
    const bad = listed.find((c) => !(CHALLENGE_TYPES as readonly string[]).includes(c));
    if (bad !== undefined || listed.length === 0) {
      throw new HttpsSettingsIssue('SLIPWAY_ACME_CHALLENGES', `${bad === undefined ? 'no challenge type given' : `${JSON.stringify(bad)} is not a challenge type`}; expected a comma-separated list of http-01, tls-alpn-01, dns-01`);
    }
    challenges = [...new Set(listed)] as AcmeChallengeType[];
    if (challenges.includes('dns-01') && !dns) {
      throw new HttpsSettingsIssue('SLIPWAY_ACME_CHALLENGES', 'dns-01 needs a DNS provider: set SLIPWAY_DNS_RFC2136_SERVER, _KEY_NAME and _KEY_SECRET (and _ZONE), or leave dns-01 out');
    }
  }
  return {
    acme: {
      directoryUrl: s.SLIPWAY_ACME_DIRECTORY,
      email: s.SLIPWAY_ACME_EMAIL,
      eab: s.SLIPWAY_ACME_EAB_KID !== undefined ? { kid: s.SLIPWAY_ACME_EAB_KID, hmacKey: new Sensitive(s.SLIPWAY_ACME_EAB_HMAC_KEY!) } : undefined,
      caCertFile: s.SLIPWAY_ACME_CA_CERT,
      challenges,
    },
    dns,
    onDemandMaxPerHour: s.SLIPWAY_ON_DEMAND_MAX_PER_HOUR,
  };
}

export class HttpsSettingsIssue extends Error {
  constructor(readonly variable: string, message: string) {
    super(message);
  }
}
