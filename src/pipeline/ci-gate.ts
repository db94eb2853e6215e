// The CI gate of an environment with `require_ci_status: true`: the commit's latest status per
// context must all be `success`.
import { PreconditionError } from '../core/errors.js';
import type { CommitStatus } from '../core/model.js';
import type { CommitStatuses } from '../core/ports/store/commit-statuses.js';

/** The newest status of each context (input newest first, as the store lists them). */
export function latestPerContext(statuses: readonly CommitStatus[]): CommitStatus[] {
  const seen = new Map<string, CommitStatus>();
  for (const s of statuses) if (!seen.has(s.context)) seen.set(s.context, s);
  return [...seen.values()].sort((a, b) => a.context.localeCompare(b.context));
}

export async function requireGreenCommit(store: Pick<CommitStatuses, 'listCommitStatuses'>, app: { id: string; name: string }, env: string, sha: string): Promise<CommitStatus[]> {
  const latest = latestPerContext(await store.listCommitStatuses(app.id, sha));
  const short = sha.slice(0, 7);
  if (latest.length === 0) {
    throw new PreconditionError(
      `${env} requires a green CI status (require_ci_status: true) and commit ${short} has none; have CI report one with ` +
        `POST /api/apps/${app.name}/commits/${sha}/statuses {"state":"success","context":"ci"} (bearer token), then deploy again`,
      { sha },
    );
  }
  const notGreen = latest.filter((s) => s.state !== 'success');
  if (notGreen.length > 0) {
    throw new PreconditionError(
      `${env} requires a green CI status and commit ${short} has ${notGreen.map((s) => `${s.context}: ${s.state}${s.description ? ` (${s.description})` : ''}`).join(', ')}; ` +
        `deploy once CI reports success for every context`,
      { sha, statuses: notGreen },
    );
  }
  return latest;
}
