// What runs where, compared: the commits one environment's live release has that the other's lacks.
import { PreconditionError } from '../core/errors.js';
import type { EnvironmentDiff } from '../core/wire/git-driven.js';
import type { Commit, SourceProvider } from '../core/ports/source.js';
import type { Releases } from '../core/ports/store/releases.js';
import type { AppService } from './app-service.js';
import { changeFlagsBetween } from '../pipeline/deployment-notes.js';

const plain = ({ sha, subject, body, author, date }: Commit): Commit => ({ sha, subject, body, author, date });

export class DiffService {
  constructor(
    private readonly store: Releases,
    private readonly apps: AppService,
    private readonly source: SourceProvider,
  ) {}

  async diff(input: { app: string; from: string; to: string }): Promise<EnvironmentDiff> {
    const app = await this.apps.require(input.app);
    const [a, b] = await Promise.all([this.apps.environment(app, input.from), this.apps.environment(app, input.to)]);
    const [ra, rb] = await Promise.all([this.store.liveRelease(a.id), this.store.liveRelease(b.id)]);
    for (const [env, r] of [[input.from, ra], [input.to, rb]] as const) {
      if (!r) throw new PreconditionError(`${app.name}/${env} has no live release; deploy it first`);
      if (!r.commitSha) throw new PreconditionError(`the live release of ${app.name}/${env} (${r.id}) was deployed from an upload and has no commit to compare`);
    }
    const shaA = ra?.commitSha ?? '';
    const shaB = rb?.commitSha ?? '';
    const [ahead, behind] = await Promise.all([
      shaA === shaB ? [] : this.source.log(app.repo, shaA, shaB),
      shaA === shaB ? [] : this.source.log(app.repo, shaB, shaA),
    ]);
    const flags = await changeFlagsBetween(this.source, app.repo, shaA, shaB);
    return {
      from: { environment: input.from, release: ra?.id ?? null, commitSha: shaA },
      to: { environment: input.to, release: rb?.id ?? null, commitSha: shaB },
      ahead: ahead.map(plain),
      behind: behind.map(plain),
      flags,
    };
  }
}
