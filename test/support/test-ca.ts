// A certificate authority made in the test: real X.509 certificates signed with `openssl ca`
// (through platform/exec.ts) for the hosts and the validity a test asks for. Its files live in
// a temp dir that `close` removes.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runChecked } from '../../src/platform/exec.js';

export interface MintedCertificate {
  certificatePem: string;
  keyPem: string;
}

function asn1Time(d: Date): string {
  return `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

export class TestCa {
  #serial = 0;
  private constructor(readonly dir: string, readonly certificatePem: string) {}

  static async create(): Promise<TestCa> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-test-ca-'));
    await mkdir(path.join(dir, 'certs'));
    await writeFile(path.join(dir, 'index.txt'), '');
    await writeFile(path.join(dir, 'serial'), '1000\n');
    await writeFile(
      path.join(dir, 'ca.cnf'),
      [
        '[ca]', 'default_ca = test',
        '[test]', `dir = ${dir}`, 'database = $dir/index.txt', 'new_certs_dir = $dir/certs', 'serial = $dir/serial',
        'default_md = sha256', 'policy = any', 'unique_subject = no', 'copy_extensions = none',
        '[any]', 'commonName = supplied',
        '[req]', 'distinguished_name = dn', '[dn]', '',
      ].join('\n'),
    );
    await runChecked(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30',
      '-subj', '/CN=Slipway Test CA', '-keyout', path.join(dir, 'ca.key'), '-out', path.join(dir, 'ca.crt')]);
    return new TestCa(dir, await readFile(path.join(dir, 'ca.crt'), 'utf8'));
  }

  /** A leaf for `hosts` (the first is its CN), valid from notBefore to notAfter, with a fresh P-256 key. */
  async mint(hosts: readonly string[], notBefore: Date, notAfter: Date): Promise<MintedCertificate> {
    const n = ++this.#serial;
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = path.join(this.dir, `leaf-${n}.key`);
    const csr = path.join(this.dir, `leaf-${n}.csr`);
    const ext = path.join(this.dir, `leaf-${n}.ext`);
    const out = path.join(this.dir, `leaf-${n}.crt`);
    await writeFile(key, keyPem, { mode: 0o600 });
    await writeFile(ext, `[leaf]\nsubjectAltName = ${hosts.map((h) => `DNS:${h}`).join(',')}\nbasicConstraints = CA:FALSE\n`);
    const cn = (hosts[0] ?? 'none').slice(0, 64);
    await runChecked(['openssl', 'req', '-new', '-key', key, '-subj', `/CN=${cn}`, '-out', csr, '-config', path.join(this.dir, 'ca.cnf')]);
    await runChecked(['openssl', 'ca', '-config', path.join(this.dir, 'ca.cnf'), '-batch', '-notext', '-in', csr, '-out', out,
      '-cert', path.join(this.dir, 'ca.crt'), '-keyfile', path.join(this.dir, 'ca.key'),
      '-startdate', asn1Time(notBefore), '-enddate', asn1Time(notAfter), '-extfile', ext, '-extensions', 'leaf']);
    const leaf = await readFile(out, 'utf8');
    await rm(key);
    return { certificatePem: `${leaf.trim()}\n${this.certificatePem.trim()}\n`, keyPem };
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
