// A release kept warm: its supervisor still runs after a deploy replaced it, unrouted, until
// `warmUntil` (run/<id>/warm.json), so that a rollback to it needs no restart. The file is the
// whole state, so the window outlives control-plane restarts; the sweep stops what expired.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../../platform/json-file.js';
import type { SupervisorState } from './supervisor-protocol.js';

export const WARM_FILE = 'warm.json';

export interface WarmRecord {
  releaseId: string;
  since: string;
  warmUntil: string;
}

export async function readWarm(runDir: string): Promise<WarmRecord | null> {
  const w = await readJsonFile<WarmRecord>(path.join(runDir, WARM_FILE));
  return w && typeof w.warmUntil === 'string' && Number.isFinite(Date.parse(w.warmUntil)) ? w : null;
}

export async function writeWarm(runDir: string, record: WarmRecord): Promise<void> {
  await writeJsonAtomic(path.join(runDir, WARM_FILE), record, 0o644);
}

export async function clearWarm(runDir: string): Promise<void> {
  await rm(path.join(runDir, WARM_FILE), { force: true });
}

export function warmExpired(record: WarmRecord, now = Date.now()): boolean {
  return Date.parse(record.warmUntil) <= now;
}

/** Resident memory (VmRSS) of the release's running instances, in bytes; gone instances count 0. */
export async function releaseRss(state: SupervisorState): Promise<number> {
  let total = 0;
  for (const inst of state.instances) {
    if (inst.pid) total += await vmRssBytes(inst.pid);
  }
  return total;
}

async function vmRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** "HH:MM UTC" of an ISO time, for deploy logs. */
export function clockTime(iso: string): string {
  return `${iso.slice(11, 16)} UTC`;
}

export function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.ceil(n / 1024)} KiB`;
  return `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
}
