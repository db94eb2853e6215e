// Deployment notes: the values of `Deployment:` trailers in the commits a deploy brings in.
import type { Commit, SourceProvider } from '../core/ports/source.js';

interface TrailerLike {
  key: string;
  value: string;
}

/**
 * Notes of `commits` (newest first, as `SourceProvider.log` gives them). Uses the trailers git
 * parsed when the source provides them, else the message's last paragraph.
 */
export function notesOf(commits: readonly Commit[]): string[] {
  return commits.flatMap((c) => {
    const parsed = (c as Commit & { trailers?: unknown }).trailers;
    const trailers: TrailerLike[] = Array.isArray(parsed) ? (parsed as TrailerLike[]) : trailersOfBody(c.body);
    return trailers.filter((t) => t.key.toLowerCase() === 'deployment' && t.value.trim() !== '').map((t) => t.value.trim());
  });
}

function trailersOfBody(body: string): TrailerLike[] {
  const last = body.trim().split(/\n\s*\n/).at(-1) ?? '';
  return last
    .split('\n')
    .map((line) => /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ key: m[1] ?? '', value: m[2] ?? '' }));
}

/** Commits in `from..to` and their notes; with no `from`, only the commit `to` itself. */
export async function commitsBetween(source: SourceProvider, repo: string, fromSha: string | null, toSha: string): Promise<{ commits: Commit[]; notes: string[] }> {
  if (fromSha === toSha) return { commits: [], notes: [] };
  const all = await source.log(repo, fromSha, toSha);
  const commits = fromSha === null ? all.slice(0, 1) : all;
  return { commits, notes: notesOf(commits) };
}
