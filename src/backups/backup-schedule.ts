// When scheduled backups and drills run (cron, UTC). The scheduler persists the time of each
// database's last run; at start, a run that fell due while the control plane was down runs
// once (not once per missed slot).
import { Cron } from 'croner';
import { InvalidInputError } from '../core/errors.js';

function cron(expr: string): Cron {
  try {
    return new Cron(expr, { paused: true, timezone: 'UTC' });
  } catch (err) {
    throw new InvalidInputError(`invalid cron expression "${expr}": ${(err as Error).message}`);
  }
}

/** The first scheduled time strictly after `after`, or null when the expression never fires again. */
export function nextRun(expr: string, after: Date): Date | null {
  const c = cron(expr);
  try {
    return c.nextRun(after);
  } finally {
    c.stop();
  }
}

export interface ScheduleState {
  /** Due now: a scheduled time passed since `lastRun` (or since `since` when it never ran). */
  due: boolean;
  /** Scheduled times that passed without a run (capped at `cap`); 1 is an ordinary due run. */
  missed: number;
  /** The next scheduled time after now. */
  next: Date | null;
}

/**
 * `lastRun`: when the last run started (persisted); `since`: when the schedule was registered,
 * used when it never ran. However many slots were missed, the answer is one run now.
 */
export function scheduleState(expr: string, lastRun: Date | null, since: Date, now: Date, cap = 1000): ScheduleState {
  const c = cron(expr);
  try {
    let missed = 0;
    let t: Date | null = c.nextRun(lastRun ?? since);
    while (t && t.getTime() <= now.getTime() && missed < cap) {
      missed++;
      t = c.nextRun(t);
    }
    return { due: missed > 0, missed, next: c.nextRun(now) };
  } finally {
    c.stop();
  }
}
