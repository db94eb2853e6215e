// Promotion of the artifact that runs in one environment to another, with a preview of the
// commits and `Deployment:` notes the target will receive.
import type { SourceProvider } from '../core/ports/source.js';
import type { PromotionPreview } from '../core/wire/git-driven.js';
import type { Deployment } from '../core/model.js';
import type { DeployEngine } from '../pipeline/deploy-engine.js';
import { changeFlagsBetween, commitsBetween } from '../pipeline/deployment-notes.js';
import { promotableRelease, type PromotionReads } from '../pipeline/promotion-source.js';
import type { Actor } from './actor.js';
import type { AppService } from './app-service.js';
import type { AuditTrail } from './audit-trail.js';

export class PromotionService {
  constructor(
    private readonly store: PromotionReads,
    private readonly engine: DeployEngine,
    private readonly apps: AppService,
    private readonly source: SourceProvider,
    private readonly audit: AuditTrail,
  ) {}

  async preview(input: { app: string; from: string; to: string }): Promise<PromotionPreview> {
    const app = await this.apps.require(input.app);
    const fromRelease = await promotableRelease(this.store, app, input.from, input.to);
    const toEnv = await this.apps.environment(app, input.to);
    const toLive = await this.store.liveRelease(toEnv.id);
    const between = fromRelease.commitSha
      ? await commitsBetween(this.source, app.repo, toLive?.commitSha ?? null, fromRelease.commitSha)
      : { commits: [], notes: fromRelease.notes };
    const flags = fromRelease.commitSha ? await changeFlagsBetween(this.source, app.repo, toLive?.commitSha ?? null, fromRelease.commitSha) : [];
    return {
      from: { environment: input.from, release: fromRelease.id, commitSha: fromRelease.commitSha, artifact: fromRelease.artifact },
      to: { environment: input.to, release: toLive?.id ?? null, commitSha: toLive?.commitSha ?? null },
      commits: between.commits.map(({ sha, subject, body, author, date }) => ({ sha, subject, body, author, date })),
      notes: between.notes,
      flags,
    };
  }

  async promote(actor: Actor, input: { app: string; from: string; to: string }): Promise<{ deployment: Deployment } & PromotionPreview> {
    return this.audit.record(actor, 'deployment.promote', `${input.app}/${input.to}`, { from: input.from }, async () => {
      const preview = await this.preview(input);
      const app = await this.apps.require(input.app);
      const toEnv = await this.apps.environment(app, input.to);
      const deployment = await this.engine.enqueue({
        appId: app.id,
        environmentId: toEnv.id,
        kind: 'promote',
        trigger: 'promotion',
        ref: input.from,
        commitSha: preview.from.commitSha,
        requestedBy: actor.name,
        params: { from: input.from, fromRelease: preview.from.release },
      });
      return { deployment, ...preview };
    });
  }
}
