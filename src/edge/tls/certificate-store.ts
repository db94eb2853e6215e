// The edge's certificates on disk, one JSON file per id under <data>/edge/certs/ (0600, written
// atomically), loaded into the CertificateSet at start so a restarted edge serves HTTPS without the
// control plane. A file that cannot be read, parsed or loaded is set aside
// (`<id>.json.damaged-<time>`) and logged; every other certificate still loads (kamal-proxy#233:
// one unreadable certificate there dropped every route).
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../../core/errors.js';
import type { EdgeCertificateState } from '../../core/ports/edge-tls.js';
import { writeJsonAtomic } from '../../platform/json-file.js';
import type { Logger } from '../../platform/logger.js';
import { loadCertificate } from './certificate-material.js';
import { certificateBodySchema, certificateIdSchema, type CertificateBody } from './certificate-schema.js';
import type { CertificateSet } from './certificate-set.js';

interface CertificateFile extends CertificateBody {
  id: string;
}

export class CertificateStore {
  constructor(
    private readonly dir: string,
    readonly set: CertificateSet,
    private readonly logger: Logger,
  ) {}

  /** Loads every certificate file; returns how many load. Damaged files are set aside, never fatal. */
  async restore(): Promise<number> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.json')).sort();
    let loaded = 0;
    for (const name of names) {
      const file = path.join(this.dir, name);
      try {
        this.set.put(await this.loadFile(file, name.slice(0, -'.json'.length)));
        loaded++;
      } catch (err) {
        const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        await rename(file, aside).catch(() => undefined);
        this.logger.error({ file, setAside: aside, err: errorMessage(err) }, 'a certificate file cannot be loaded: set aside; the other certificates serve, this one comes again from the control plane');
      }
    }
    return loaded;
  }

  /** Checks, writes, then serves (new handshakes only; open connections keep their certificate). */
  async put(id: string, body: CertificateBody): Promise<EdgeCertificateState> {
    const loaded = loadCertificate('certificate', id, body.hosts, body.certificatePem, body.keyPem);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file: CertificateFile = { id, ...body };
    await writeJsonAtomic(this.fileOf(id), file, 0o600);
    this.set.put(loaded);
    return loaded.state;
  }

  async remove(id: string): Promise<void> {
    this.set.remove(id);
    await rm(this.fileOf(id), { force: true });
  }

  private fileOf(id: string): string {
    return path.join(this.dir, `${certificateIdSchema.parse(id)}.json`);
  }

  private async loadFile(file: string, id: string) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      // V8's JSON errors quote the text near the fault, which may be key material: never log them.
      if (err instanceof SyntaxError) throw new Error('the file is not valid JSON');
      throw err;
    }
    const checked = certificateBodySchema.extend({ id: certificateIdSchema }).safeParse(json);
    if (!checked.success) throw new Error(`the file does not hold a certificate: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const parsed = checked.data;
    if (parsed.id !== id) throw new Error(`the file names id ${JSON.stringify(parsed.id)}, not ${JSON.stringify(id)}`);
    return loadCertificate('certificate', id, parsed.hosts, parsed.certificatePem, parsed.keyPem);
  }
}
