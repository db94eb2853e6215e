// Commit statuses reported by external CI: an append-only history per commit.
import type { Kysely, Selectable } from 'kysely';
import type { CommitStatus } from '../../core/model.js';
import type { Clock } from '../../platform/clock.js';
import type { CommitStatusesTable, Database } from '../schema.js';

function toStatus(r: Selectable<CommitStatusesTable>): CommitStatus {
  return { appId: r.app_id, sha: r.sha, context: r.context, state: r.state, description: r.description, at: r.at };
}

export async function addCommitStatus(db: Kysely<Database>, clock: Clock, s: Omit<CommitStatus, 'at'> & { at?: string }): Promise<CommitStatus> {
  const row = await db
    .insertInto('commit_statuses')
    .values({ app_id: s.appId, sha: s.sha, context: s.context, state: s.state, description: s.description, at: s.at ?? clock.now().toISOString() })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toStatus(row);
}

export async function listCommitStatuses(db: Kysely<Database>, appId: string, sha: string): Promise<CommitStatus[]> {
  const rows = await db
    .selectFrom('commit_statuses')
    .selectAll()
    .where('app_id', '=', appId)
    .where('sha', '=', sha)
    .orderBy('id', 'desc')
    .limit(1000)
    .execute();
  return rows.map(toStatus);
}
