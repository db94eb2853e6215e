// The master key that seals secrets: from SLIPWAY_MASTER_KEY (passed in by the caller),
// else `<dataDir>/master.key`, created with 32 random bytes (mode 0600) on first start.
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';

export const MASTER_KEY_BYTES = 32;
export const MASTER_KEY_FILE = 'master.key';

const FORMAT = `${MASTER_KEY_BYTES} bytes written as 64 hex characters or as base64 (44 characters)`;
const HOW_TO_MAKE = 'e.g. the output of `openssl rand -hex 32`';

export interface LoadMasterKeyOptions {
  dataDir: string;
  /** The value of SLIPWAY_MASTER_KEY, if set; it wins over the key file. */
  fromEnv?: string;
  /**
   * Why no new key may be made when the file is missing (data sealed with the old one exists);
   * absent: a missing key file is created.
   */
  sealedData?: string;
}

export async function loadMasterKey(opts: LoadMasterKeyOptions): Promise<Buffer> {
  if (opts.fromEnv !== undefined) {
    const key = decodeKeyText(opts.fromEnv);
    if (!key) {
      throw new ConfigError(`SLIPWAY_MASTER_KEY is not a valid master key: expected ${FORMAT}, ${HOW_TO_MAKE}`);
    }
    return key;
  }
  const file = path.join(opts.dataDir, MASTER_KEY_FILE);
  const existing = await readKeyFile(file);
  if (existing) return existing;
  if (opts.sealedData) {
    throw new ConfigError(
      `the master key ${file} is missing, and ${opts.sealedData} sealed with it: a new key would make them unreadable, so none was made. ` +
        `Restore ${MASTER_KEY_FILE} from your backup of the data dir, or set SLIPWAY_MASTER_KEY to the key`,
      { file },
    );
  }
  return createKeyFile(file);
}

/** 64 hex characters or base64 of exactly 32 bytes (surrounding whitespace ignored); otherwise undefined. */
export function decodeKeyText(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(t)) {
    const key = Buffer.from(t, 'base64');
    if (key.length === MASTER_KEY_BYTES && key.toString('base64').replace(/=+$/, '') === t.replace(/=+$/, '')) return key;
  }
  return undefined;
}

/** The key in `file`, or undefined if there is no such file. */
async function readKeyFile(file: string): Promise<Buffer | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read the master key ${file}: ${(err as Error).message}`, { file });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ConfigError(`the master key ${file} is not a regular file`, { file });
    if ((stat.mode & 0o077) !== 0) {
      throw new ConfigError(
        `the master key ${file} is readable or writable by other users (mode ${(stat.mode & 0o777).toString(8)}); ` +
          `run: chmod 600 ${file}`,
        { file },
      );
    }
    const content = await handle.readFile();
    const key = content.length === MASTER_KEY_BYTES ? content : decodeKeyText(content.toString('utf8'));
    if (!key) {
      throw new ConfigError(
        `the master key ${file} is not a master key (expected ${MASTER_KEY_BYTES} raw bytes, or ${FORMAT}); ` +
          'restore it from your backup: without it the stored secrets cannot be decrypted',
        { file },
      );
    }
    return key;
  } finally {
    await handle.close();
  }
}

/**
 * Writes a new key to a private temporary file, then links it into place: the link fails
 * if another start created the key first (then that key is used), and nobody ever reads
 * a half-written key.
 */
async function createKeyFile(file: string): Promise<Buffer> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${MASTER_KEY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const key = randomBytes(MASTER_KEY_BYTES);
  const handle = await fs.open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(key);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const existing = await readKeyFile(file);
    if (existing) return existing;
    throw err;
  } finally {
    await fs.rm(tmp, { force: true });
  }
  await syncDir(dir);
  return key;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
