// `POST /api/system/shutdown`: `slipway down` asks the control plane to stop its edge, the
// process driver's apps and then itself. The answer names the pids, so the caller can wait.
import { shutdownBody, type ShutdownRequest, type ShutdownView } from '../../core/wire/system.js';
import type { AuditTrail } from '../../services/audit-trail.js';
import { route, type RouteDef } from '../route-table.js';

export interface SystemRouteServices {
  /** Starts stopping everything and resolves with what is being stopped (the work goes on after the answer). */
  shutdown(): Promise<ShutdownView>;
  audit: AuditTrail;
}

export function systemRoutes(s: SystemRouteServices): RouteDef[] {
  return [
    route<ShutdownRequest>({
      method: 'POST',
      url: '/api/system/shutdown',
      tag: 'system',
      summary: "Stops the process driver's apps, the edge, and then the control plane (Swarm services are left alone)",
      body: shutdownBody,
      status: 202,
      handler: ({ actor }) => s.audit.record(actor, 'system.shutdown', 'system', {}, () => s.shutdown()).then((shutdown) => ({ shutdown })),
    }),
  ];
}
