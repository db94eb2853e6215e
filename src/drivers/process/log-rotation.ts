// Keeps instance logs bounded: a log over the limit is copied to `<log>.1` (replacing the older
// copy) and truncated in place. The instance writes with O_APPEND, so it simply continues at the
// new end; lines written between the copy and the truncate are lost (rare, documented).
import { copyFile, stat, truncate } from 'node:fs/promises';

export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;

/** Returns true when it rotated the file. */
export async function rotateIfLarge(file: string, maxBytes: number): Promise<boolean> {
  const info = await stat(file).catch(() => null);
  if (!info || info.size <= maxBytes) return false;
  await copyFile(file, `${file}.1`);
  await truncate(file, 0);
  return true;
}
