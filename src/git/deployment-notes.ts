// Deployment notes: the values of `Deployment:` trailers in commit messages.
import type { Commit } from './commit-log.js';

/**
 * Values of every `Deployment:` trailer (key matched case-insensitively, empty values dropped),
 * in the order of the commits given — newest first when they come from `GitSource.log`.
 */
export function deploymentNotes(commits: readonly Commit[]): string[] {
  return commits.flatMap((c) =>
    c.trailers.filter((t) => t.key.toLowerCase() === 'deployment' && t.value !== '').map((t) => t.value),
  );
}
