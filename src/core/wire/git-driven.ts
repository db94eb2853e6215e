// Git-driven environments on the wire: promotion, diff between environments, CI commit statuses.
import { z } from 'zod';
import type { CommitStatusState } from '../model.js';
import type { Commit } from '../ports/source.js';

const envName = z.string().min(1).max(40);

/** `POST /api/apps/:app/promote` (body), `GET .../promote` and `GET .../diff` (query). */
export const environmentPair = z.strictObject({ from: envName, to: envName });
export type EnvironmentPair = z.input<typeof environmentPair>;

/** `POST /api/apps/:app/commits/:sha/statuses` */
export const commitStatusBody = z.strictObject({
  state: z.enum(['pending', 'success', 'failure', 'error'] as const satisfies readonly CommitStatusState[]),
  context: z.string().min(1).max(100).default('ci'),
  description: z.string().max(1000).optional(),
});
export type CommitStatusRequest = z.input<typeof commitStatusBody>;

/** A promotion's preview, and part of its answer. */
export interface PromotionPreview {
  from: { environment: string; release: string; commitSha: string | null; artifact: string | null };
  to: { environment: string; release: string | null; commitSha: string | null };
  /** Commits TO receives (newest first): in FROM's live commit, not in TO's. */
  commits: Commit[];
  notes: string[];
  /** What the commits change that deserves a look first: migrations, the compose file, slipway.yml. */
  flags: string[];
}

export interface EnvironmentDiff {
  from: { environment: string; release: string | null; commitSha: string | null };
  to: { environment: string; release: string | null; commitSha: string | null };
  /** Commits in B's live commit that A's lacks (B is ahead of A by these), newest first. */
  ahead: Commit[];
  /** Commits in A's live commit that B's lacks, newest first. */
  behind: Commit[];
  /** What B's live commit changes against A's that deserves a look: migrations, the compose file, slipway.yml. */
  flags: string[];
}
