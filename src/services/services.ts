// The bundle of application services the transports call.
import type { AppService } from './app-service.js';
import type { AuditTrail } from './audit-trail.js';
import type { DeploymentService } from './deployment-service.js';
import type { LockService } from './lock-service.js';
import type { MaintenanceService } from './maintenance-service.js';
import type { SecretService } from './secret-service.js';
import type { StatusService } from './status-service.js';
import type { TokenService } from './token-service.js';

export interface Services {
  apps: AppService;
  deployments: DeploymentService;
  secrets: SecretService;
  locks: LockService;
  status: StatusService;
  audit: AuditTrail;
  maintenance: MaintenanceService;
  tokens: TokenService;
  /** Where uploaded tarballs are written before a deployment takes them. */
  uploadDir: string;
}
