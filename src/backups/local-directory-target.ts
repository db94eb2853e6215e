// The default target: a directory on this machine. Each object is written to "<key>.partial",
// flushed to disk, then renamed into place; its sha256 is kept beside it in "<key>.sha256"
// (the format of sha256sum, so `sha256sum -c` works there too).
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidInputError, NotFoundError } from '../core/errors.js';
import type { BackupTarget, StoredObject } from './backup-target.js';
import { isSafeKey } from './backup-target.js';
import { DigestStream, type ObjectDigest } from './digest-stream.js';

const SIDECAR = '.sha256';
const PARTIAL = '.partial';

export class LocalDirectoryTarget implements BackupTarget {
  readonly location: string;

  constructor(readonly dir: string) {
    this.location = `local:${path.resolve(dir)}`;
  }

  async put(key: string, body: Readable, opts: { onProgress?: (bytes: number) => void } = {}): Promise<ObjectDigest> {
    const file = this.#path(key);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const partial = file + PARTIAL;
    const digest = new DigestStream();
    if (opts.onProgress) digest.on('data', () => opts.onProgress!(digest.bytes));
    try {
      await pipeline(body, digest, createWriteStream(partial, { mode: 0o600 }));
      const fh = await open(partial, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      const d = digest.digest;
      await writeFile(file + SIDECAR, `${d.sha256}  ${path.basename(key)}\n`, { mode: 0o600 });
      await rename(partial, file);
      return d;
    } catch (err) {
      await rm(partial, { force: true });
      await rm(file + SIDECAR, { force: true });
      throw err;
    }
  }

  async stat(key: string): Promise<StoredObject | null> {
    const file = this.#path(key);
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) return null;
    const side = await readFile(file + SIDECAR, 'utf8').catch(() => '');
    const sha = /^([0-9a-f]{64})\s/.exec(side)?.[1];
    return { key, size: st.size, sha256: sha };
  }

  async get(key: string): Promise<Readable> {
    const file = this.#path(key);
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) throw new NotFoundError('backup object', key);
    return createReadStream(file);
  }

  async delete(key: string): Promise<void> {
    const file = this.#path(key);
    await rm(file, { force: true });
    await rm(file + SIDECAR, { force: true });
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    const walk = async (rel: string): Promise<void> => {
      const entries = await readdir(path.join(this.dir, rel), { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const k = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(k);
        else if (e.isFile() && !k.endsWith(SIDECAR) && !k.endsWith(PARTIAL) && k.startsWith(prefix)) {
          const s = await this.stat(k);
          if (s) out.push(s);
        }
      }
    };
    await walk('');
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  #path(key: string): string {
    if (!isSafeKey(key)) throw new InvalidInputError(`backup key "${key}" is not a safe relative path`);
    return path.join(this.dir, ...key.split('/'));
  }
}
