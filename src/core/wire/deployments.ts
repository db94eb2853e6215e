// Deployments on the wire: deploy and rollback requests, the list filter, the deployment view and
// the events of a followed log.
import { z } from 'zod';
import { TERMINAL_STATUSES, type Deployment, type DeploymentStatus, type LogLine, type StepRun } from '../model.js';

/** Every deployment status, derived from the model's (a status added there appears here). */
export const DEPLOYMENT_STATUSES = ['queued', 'running', ...TERMINAL_STATUSES] as const satisfies readonly DeploymentStatus[];
type Unlisted = Exclude<DeploymentStatus, (typeof DEPLOYMENT_STATUSES)[number]>;
/** Does not compile when a DeploymentStatus (one that is not terminal) is missing above. */
const everyStatusListed: Unlisted extends never ? true : false = true;
void everyStatusListed;

/** `POST /api/apps/:app/environments/:env/deployments` */
export const deployBody = z.strictObject({ ref: z.string().min(1).max(255).optional() });
export type DeployRequest = z.input<typeof deployBody>;

/** `POST /api/apps/:app/environments/:env/rollback` */
export const rollbackBody = z.strictObject({ to: z.string().min(1).max(100).optional() });
export type RollbackRequest = z.input<typeof rollbackBody>;

/** `GET /api/deployments` */
export const deploymentListQuery = z.strictObject({
  app: z.string().optional(),
  env: z.string().optional(),
  status: z.enum(DEPLOYMENT_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(20),
});
export type DeploymentFilter = Partial<z.output<typeof deploymentListQuery>>;

/** A deployment with its app, environment and steps (`GET /api/deployments`, `/api/deployments/:id`). */
export interface DeploymentView extends Deployment {
  app: string;
  environment: string;
  steps: StepRun[];
}

/**
 * One NDJSON line of `GET /api/deployments/:id/log?follow=1`. `waiting`: what a queued deployment
 * waits for (sent when it starts waiting and whenever that changes); `heartbeat`: sent after 15 s
 * without any other line, so a quiet stream is never taken for a dead one.
 */
export type FollowEvent =
  | { type: 'log'; line: LogLine }
  | { type: 'status'; deployment: Deployment }
  | { type: 'waiting'; reason: string }
  | { type: 'heartbeat'; at: string };
