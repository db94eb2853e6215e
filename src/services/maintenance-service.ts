// Maintenance mode: the edge answers 503 with a page (health probes still pass through).
import type { EdgeControl } from '../core/ports/edge-control.js';
import { NotFoundError } from '../core/errors.js';
import type { Actor } from './actor.js';
import type { AppService } from './app-service.js';
import type { AuditTrail } from './audit-trail.js';

export class MaintenanceService {
  constructor(
    private readonly edge: EdgeControl,
    private readonly apps: AppService,
    private readonly audit: AuditTrail,
  ) {}

  async set(actor: Actor, input: { app: string; env: string; enabled: boolean; message?: string; page?: 'short' | 'long'; retryAfterSeconds?: number }): Promise<void> {
    const target = `${input.app}/${input.env}`;
    await this.audit.record(actor, input.enabled ? 'maintenance.on' : 'maintenance.off', target, { message: input.message ?? null, page: input.page ?? null, retryAfterSeconds: input.retryAfterSeconds ?? null }, async () => {
      const app = await this.apps.require(input.app);
      const env = await this.apps.environment(app, input.env);
      const id = `${app.name}/${env.name}`;
      if (!(await this.edge.getRoute(id))) throw new NotFoundError('edge route (deploy the environment first)', id);
      await this.edge.setMaintenance(id, {
        enabled: input.enabled,
        ...(input.message ? { message: input.message } : {}),
        ...(input.page ? { page: input.page } : {}),
        ...(input.retryAfterSeconds !== undefined ? { retryAfterSeconds: input.retryAfterSeconds } : {}),
      });
    });
  }
}
