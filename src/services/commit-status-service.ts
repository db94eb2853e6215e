// Commit statuses reported by an external CI (`POST /api/apps/:app/commits/:sha/statuses`).
import { InvalidInputError } from '../core/errors.js';
import type { CommitStatus, CommitStatusState } from '../core/model.js';
import type { CommitStatuses } from '../core/ports/store/commit-statuses.js';
import { latestPerContext } from '../pipeline/ci-gate.js';
import type { Actor } from './actor.js';
import type { AppService } from './app-service.js';
import type { AuditTrail } from './audit-trail.js';

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export class CommitStatusService {
  constructor(
    private readonly store: CommitStatuses,
    private readonly apps: AppService,
    private readonly audit: AuditTrail,
  ) {}

  async report(actor: Actor, input: { app: string; sha: string; state: CommitStatusState; context: string; description?: string }): Promise<CommitStatus> {
    const sha = input.sha.toLowerCase();
    return this.audit.record(actor, 'commit.status', `${input.app}@${sha.slice(0, 12)}`, { context: input.context, state: input.state }, async () => {
      if (!FULL_SHA.test(sha)) throw new InvalidInputError(`commit ${JSON.stringify(input.sha.slice(0, 80))} is not a full sha: send the 40 (or 64) hex characters of the commit`);
      const app = await this.apps.require(input.app);
      return this.store.addCommitStatus({ appId: app.id, sha, context: input.context, state: input.state, description: input.description ?? null });
    });
  }

  async list(input: { app: string; sha: string }): Promise<{ latest: CommitStatus[]; history: CommitStatus[] }> {
    const app = await this.apps.require(input.app);
    const history = await this.store.listCommitStatuses(app.id, input.sha.toLowerCase());
    return { latest: latestPerContext(history), history };
  }
}
