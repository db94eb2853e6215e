// Opens the tarball given to `deploy --upload` and names its content type from its first bytes.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { InvalidInputError } from '../core/errors.js';
import type { Upload } from './api-client.js';

export async function openUpload(file: string): Promise<Upload> {
  const info = await stat(file).catch(() => null);
  if (!info) throw new InvalidInputError(`--upload ${file}: no such file; give a .tar or .tar.gz of the app`);
  if (!info.isFile()) throw new InvalidInputError(`--upload ${file}: not a file; make a tarball first, e.g. \`tar -czf app.tgz -C ${file} .\``);
  const head = Buffer.alloc(512);
  const fh = await open(file, 'r');
  let read: number;
  try {
    read = (await fh.read(head, 0, 512, 0)).bytesRead;
  } finally {
    await fh.close();
  }
  let contentType: Upload['contentType'];
  if (read >= 2 && head[0] === 0x1f && head[1] === 0x8b) contentType = 'application/gzip';
  else if (read >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') contentType = 'application/x-tar';
  else throw new InvalidInputError(`--upload ${file}: not a tar or gzip file; give a .tar or .tar.gz of the app`);
  return { body: createReadStream(file), contentType };
}
