// Which backups pruning deletes, as a pure function of the backups and the policy.
//
// A backup is kept when any rule keeps it:
//   last N    the N newest backups;
//   daily N   the newest backup of each of the N most recent UTC days that have one;
//   weekly N  the same per ISO week (UTC), monthly N per calendar month (UTC);
//   always    the newest verified backup (its upload was verified and a restore drill passed),
//             so pruning never deletes the only backup known to restore.
// A policy with no rule keeps everything. Backups are never deleted for being unverified.
import type { RetentionPolicy } from './database-spec.js';

export interface RetentionCandidate {
  id: string;
  /** ISO-8601 time the backup was taken. */
  createdAt: string;
  verified: boolean;
}

export interface RetentionPlan {
  keep: { id: string; reasons: string[] }[];
  delete: string[];
}

export function planRetention(backups: readonly RetentionCandidate[], policy: RetentionPolicy): RetentionPlan {
  const sorted = [...backups].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id.localeCompare(a.id));
  const reasons = new Map<string, string[]>();
  const keep = (id: string, why: string) => reasons.set(id, [...(reasons.get(id) ?? []), why]);
  const noRule = policy.last === undefined && policy.daily === undefined && policy.weekly === undefined && policy.monthly === undefined;
  if (noRule) sorted.forEach((b) => keep(b.id, 'no retention rule'));

  sorted.slice(0, policy.last ?? 0).forEach((b) => keep(b.id, 'last'));
  const buckets: [keyof RetentionPolicy, (d: Date) => string][] = [
    ['daily', (d) => d.toISOString().slice(0, 10)],
    ['weekly', isoWeek],
    ['monthly', (d) => d.toISOString().slice(0, 7)],
  ];
  for (const [rule, bucketOf] of buckets) {
    const n = policy[rule] ?? 0;
    const seen = new Set<string>();
    for (const b of sorted) {
      if (seen.size >= n) break;
      const bucket = bucketOf(new Date(b.createdAt));
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      keep(b.id, `${rule} ${bucket}`);
    }
  }
  const newestVerified = sorted.find((b) => b.verified);
  if (newestVerified) keep(newestVerified.id, 'newest verified backup');

  return {
    keep: sorted.filter((b) => reasons.has(b.id)).map((b) => ({ id: b.id, reasons: reasons.get(b.id)! })),
    delete: sorted.filter((b) => !reasons.has(b.id)).map((b) => b.id),
  };
}

/** ISO 8601 week of a UTC date, e.g. "2026-W47". */
export function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day); // the Thursday of this week decides the year
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
