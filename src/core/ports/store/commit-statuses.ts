// Commit statuses reported by external CI (the CI gate reads them).
import type { CommitStatus } from '../../model.js';

export interface CommitStatuses {
  addCommitStatus(s: Omit<CommitStatus, 'at'> & { at?: string }): Promise<CommitStatus>;
  /** Every status of the commit, newest first. */
  listCommitStatuses(appId: string, sha: string): Promise<CommitStatus[]>;
}
