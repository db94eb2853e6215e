// A certificate authority for tests, made with `openssl` (through platform/exec) in a temp dir:
// leaf certificates for any hosts (wildcards too), and RFC 8737 TLS-ALPN-01 challenge
// certificates (self-signed, with the critical acmeIdentifier extension).
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runChecked } from '../../src/platform/exec.js';

export interface IssuedPair {
  certificatePem: string;
  keyPem: string;
}

export interface TestCa {
  /** The CA's certificate: what clients trust (`ca` for node:tls, `--cacert` for curl). */
  caPem: string;
  caFile: string;
  dir: string;
  /** A leaf for these names (the first is the subject's CN), signed by the CA. */
  issue(hosts: readonly string[], opts?: { days?: number; cn?: string }): Promise<IssuedPair>;
  /** A self-signed TLS-ALPN-01 certificate for `host` carrying the digest of `keyAuthorization`. */
  challengeCertificate(host: string, keyAuthorization: string): Promise<IssuedPair>;
  close(): Promise<void>;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export async function startTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'test-ca-'));
  const caFile = path.join(dir, 'ca.pem');
  const caKey = path.join(dir, 'ca.key');
  await runChecked(['openssl', 'req', '-x509', ...EC, '-days', '2', '-subj', '/CN=Slipway Test CA', '-keyout', caKey, '-out', caFile,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const caPem = await readFile(caFile, 'utf8');
  let n = 0;
  const pair = async (args: string[]): Promise<IssuedPair> => {
    const base = path.join(dir, `leaf-${++n}`);
    await runChecked(['openssl', 'req', '-x509', ...EC, '-keyout', `${base}.key`, '-out', `${base}.pem`, ...args]);
    return { certificatePem: await readFile(`${base}.pem`, 'utf8'), keyPem: await readFile(`${base}.key`, 'utf8') };
  };
  return {
    caPem,
    caFile,
    dir,
    issue: (hosts, opts = {}) =>
      pair([
        '-CA', caFile, '-CAkey', caKey, '-days', String(opts.days ?? 1),
        '-subj', `/CN=${opts.cn ?? hosts[0] ?? 'leaf'}`,
        '-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`,
        '-addext', 'basicConstraints=critical,CA:FALSE',
        '-addext', 'extendedKeyUsage=serverAuth',
      ]),
    challengeCertificate: (host, keyAuthorization) => {
      const digest = createHash('sha256').update(keyAuthorization).digest('hex');
      // acmeIdentifier (1.3.6.1.5.5.7.1.31): critical, an OCTET STRING (04, length 32) of the digest.
      return pair(['-days', '1', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`,
        '-addext', `1.3.6.1.5.5.7.1.31=critical,DER:0420${digest}`]);
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
