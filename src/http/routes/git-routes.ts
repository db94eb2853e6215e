// Git-driven environments: promotion, diff between environments, commit statuses from CI.
import { commitStatusBody, environmentPair } from '../../core/wire/git-driven.js';
import type { CommitStatusService } from '../../services/commit-status-service.js';
import type { DiffService } from '../../services/diff-service.js';
import type { PromotionService } from '../../services/promotion-service.js';
import { route, type RouteDef } from '../route-table.js';

export function gitRoutes(s: { promotions: PromotionService; diffs: DiffService; commitStatuses: CommitStatusService }): RouteDef[] {
  return [
    route({
      method: 'POST',
      url: '/api/apps/:app/promote',
      tag: 'deployments',
      summary: "Deploy FROM's live artifact (no rebuild) to TO; answers the commits and notes TO receives",
      body: environmentPair,
      status: 202,
      handler: async ({ params, body, actor }) => s.promotions.promote(actor, { app: params['app'] ?? '', ...body }),
    }),
    route({
      method: 'GET',
      url: '/api/apps/:app/promote',
      tag: 'deployments',
      summary: 'Preview a promotion: the commits and deployment notes TO would receive',
      query: environmentPair,
      handler: async ({ params, query }) => s.promotions.preview({ app: params['app'] ?? '', ...query }),
    }),
    route({
      method: 'GET',
      url: '/api/apps/:app/diff',
      tag: 'status',
      summary: "Commits B's live release has that A's lacks (ahead) and the reverse (behind)",
      query: environmentPair,
      handler: async ({ params, query }) => s.diffs.diff({ app: params['app'] ?? '', ...query }),
    }),
    route({
      method: 'POST',
      url: '/api/apps/:app/commits/:sha/statuses',
      tag: 'ci',
      summary: 'Record an external CI result for a commit (require_ci_status environments deploy only all-success commits)',
      body: commitStatusBody,
      status: 201,
      handler: async ({ params, body, actor }) => ({
        status: await s.commitStatuses.report(actor, { app: params['app'] ?? '', sha: params['sha'] ?? '', ...body }),
      }),
    }),
    route({
      method: 'GET',
      url: '/api/apps/:app/commits/:sha/statuses',
      tag: 'ci',
      summary: "A commit's CI statuses: the latest per context and the history",
      handler: async ({ params }) => s.commitStatuses.list({ app: params['app'] ?? '', sha: params['sha'] ?? '' }),
    }),
  ];
}
