// The durable deployment queue: enqueue (superseding older queued ones), compare-and-set
// status transitions, cancel requests.
import type { Deployment, DeploymentStatus } from '../../model.js';

export interface NewDeployment {
  appId: string;
  environmentId: string;
  kind: Deployment['kind'];
  trigger: Deployment['trigger'];
  ref: string | null;
  commitSha?: string | null;
  releaseId?: string | null;
  requestedBy: string;
  params?: Record<string, unknown>;
}

export interface DeploymentFilter {
  appId?: string;
  environmentId?: string;
  statuses?: DeploymentStatus[];
  limit?: number;
  /** Newest first unless `oldestFirst`. */
  oldestFirst?: boolean;
}

export interface Deployments {
  /** Inserts a queued deployment and supersedes older queued ones of the same environment, atomically. */
  enqueueDeployment(d: NewDeployment): Promise<{ deployment: Deployment; superseded: Deployment[] }>;
  getDeployment(id: string): Promise<Deployment | null>;
  listDeployments(filter: DeploymentFilter): Promise<Deployment[]>;
  /** Moves a deployment between statuses only if it is currently in `from`; returns the row or null. */
  transitionDeployment(
    id: string,
    from: DeploymentStatus[],
    to: DeploymentStatus,
    patch?: Partial<Pick<Deployment, 'error' | 'commitSha' | 'releaseId' | 'startedAt' | 'finishedAt'>>,
  ): Promise<Deployment | null>;
  updateDeployment(id: string, patch: Partial<Pick<Deployment, 'commitSha' | 'releaseId' | 'params'>>): Promise<void>;
  requestCancel(id: string): Promise<Deployment | null>;
}
