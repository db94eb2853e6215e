// Reads a stored backup back and checks it against what was recorded when it was taken.
import type { BackupTarget } from './backup-target.js';
import { digestOf, type ObjectDigest } from './digest-stream.js';
import { errorMessage } from '../core/errors.js';

export interface StoredCheck {
  ok: boolean;
  reasons: string[];
  /** What the read-back found (undefined when the object could not be read). */
  actual: ObjectDigest | undefined;
}

/**
 * Three checks: the target's reported size, the sha256 recorded with the object, and a streamed
 * read-back hash of its bytes. Each mismatch becomes one reason that says what is wrong.
 */
export async function verifyStored(target: BackupTarget, key: string, expected: ObjectDigest): Promise<StoredCheck> {
  const reasons: string[] = [];
  const stat = await target.stat(key);
  if (!stat) return { ok: false, reasons: [`the backup object "${key}" is missing from ${target.location}`], actual: undefined };
  if (stat.size !== expected.size) reasons.push(sizeReason(stat.size, expected.size, 'the target reports'));
  if (stat.sha256 === undefined) reasons.push(`no sha256 is recorded with "${key}" on ${target.location}`);
  else if (stat.sha256 !== expected.sha256) reasons.push(`the sha256 recorded on the target (${stat.sha256}) differs from the backup's (${expected.sha256})`);
  let actual: ObjectDigest | undefined;
  try {
    actual = await digestOf(await target.get(key));
  } catch (err) {
    reasons.push(`reading "${key}" back from ${target.location} failed: ${errorMessage(err)}`);
  }
  if (actual) {
    if (actual.size !== expected.size && actual.size !== stat.size) reasons.push(sizeReason(actual.size, expected.size, 'reading it back gave'));
    if (actual.sha256 !== expected.sha256) reasons.push(`checksum mismatch: the stored bytes hash to ${actual.sha256}, the backup recorded ${expected.sha256} (the object is corrupted or was altered)`);
  }
  return { ok: reasons.length === 0, reasons, actual };
}

export function sizeReason(actual: number, expected: number, how: string): string {
  const what = actual < expected ? 'truncated' : 'longer than recorded';
  return `size mismatch: ${how} ${actual} bytes, the backup recorded ${expected} (the object is ${what})`;
}
