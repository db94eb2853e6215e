// Why tasks failed, in words a person can act on: the task's error ("no suitable node
// (insufficient resources on 1 node)", "task: non-zero exit (1)", "No such image: …"),
// its state message and exit code, newest first and without repeats.
import type { TaskInfo } from '../engine/swarm-api.js';

const FAILED = new Set(['failed', 'rejected', 'orphaned']);

export function describeTask(t: TaskInfo): string | null {
  const err = t.Status.Err?.trim();
  const exit = t.Status.ContainerStatus?.ExitCode;
  if (err) return `${err}${exit !== undefined && exit !== 0 && !err.includes(String(exit)) ? ` (exit code ${exit})` : ''}`;
  if (FAILED.has(t.Status.State)) return `${t.Status.State}: ${t.Status.Message ?? 'no message'}`;
  if (t.Status.State === 'pending' && t.Status.Message) return `pending: ${t.Status.Message}`;
  return null;
}

export function taskErrors(tasks: TaskInfo[], limit = 5): string[] {
  const sorted = [...tasks].sort((a, b) => (b.Status.Timestamp ?? b.UpdatedAt).localeCompare(a.Status.Timestamp ?? a.UpdatedAt));
  const out: string[] = [];
  for (const t of sorted) {
    const d = describeTask(t);
    if (d && !out.includes(d)) out.push(d);
    if (out.length >= limit) break;
  }
  return out;
}
