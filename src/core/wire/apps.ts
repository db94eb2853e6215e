// Apps and their environments on the wire: creating an app, maintenance mode, the app view.
import { z } from 'zod';
import type { App, Environment } from '../model.js';

/** `POST /api/apps` */
export const createAppBody = z.strictObject({
  name: z.string().describe('Lowercase name, e.g. "shop"'),
  repo: z.string().min(1).max(2000).describe('Path or URL of the git repository holding slipway.yml'),
  ref: z.string().min(1).max(255).optional().describe('Ref whose slipway.yml defines the environments (default HEAD)'),
});
export type CreateAppRequest = z.input<typeof createAppBody>;

/** `PUT /api/apps/:app/environments/:env/maintenance` */
export const maintenanceBody = z.strictObject({
  enabled: z.boolean(),
  message: z.string().max(2000).optional(),
  page: z.enum(['short', 'long']).optional().describe('"long": the release\'s long_maintenance page (slipway.yml pages)'),
  retryAfterSeconds: z.number().int().min(0).max(86_400).optional().describe('Retry-After sent with the 503'),
});
export type MaintenanceRequest = z.input<typeof maintenanceBody>;

/** An app with its environments (`GET /api/apps`, `GET /api/apps/:app`, `POST /api/apps`). */
export interface AppView extends App {
  environments: Environment[];
}
