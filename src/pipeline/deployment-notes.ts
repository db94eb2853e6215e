// Deployment notes: the values of `Deployment:` trailers in the commits a deploy brings in.
import type { Commit, SourceProvider } from '../core/ports/source.js';
import { changeFlags } from '../core/release-changes.js';

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
    const fromTrailers = trailers.filter((t) => t.key.toLowerCase() === 'deployment' && t.value.trim() !== '').map((t) => t.value.trim());
    return [...new Set([...fromTrailers, ...blockNotes(c.body)])];
  });
}

/**
 * The block form some teams write instead of trailers: a line `Deployment:` alone, then one note per
 * `- ` (or `* `) bullet line; the block ends at the first line that is not a bullet.
 */
export function blockNotes(body: string): string[] {
  const notes: string[] = [];
  let inBlock = false;
  for (const line of body.split('\n')) {
    if (/^\s*deployment:\s*$/i.test(line)) {
      inBlock = true;
      continue;
    }
    if (!inBlock) continue;
    const bullet = /^\s*[-*]\s+(.*\S)\s*$/.exec(line);
    if (bullet?.[1]) notes.push(bullet[1]);
    else inBlock = false;
  }
  return notes;
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

/** What in `from..to` deserves a second look before it ships (see core/release-changes.ts); nothing when from is to. */
export async function changeFlagsBetween(source: SourceProvider, repo: string, fromSha: string | null, toSha: string, composeFile?: string): Promise<string[]> {
  if (fromSha === toSha) return [];
  return changeFlags(await source.changedPaths(repo, fromSha, toSha), composeFile);
}
