// Data safety over HTTP: list, create, drill and restore backups; re-initialise a database.
import { z } from 'zod';
import { backupListQuery, createBackupsBody, reinitializeBody, restoreBody } from '../../core/wire/backups.js';
import type { BackupService } from '../../services/backup-service.js';
import type { DatabaseRecoveryService } from '../../services/database-recovery-service.js';
import { withProgress, type ProgressStreamOptions } from '../progress-stream.js';
import { route, type RouteDef } from '../route-table.js';

export interface BackupRouteServices {
  backups: BackupService;
  recovery: DatabaseRecoveryService;
  /** How progress streams redact and report (see progress-stream.ts). */
  progress: ProgressStreamOptions;
}

const progressQuery = z.strictObject({
  progress: z.enum(['0', '1']).optional().describe('1: stream progress as NDJSON lines, ended by {"result"} or {"error"}'),
});

export function backupRoutes(s: BackupRouteServices): RouteDef[] {
  return [
    route({
      method: 'GET',
      url: '/api/apps/:app/environments/:env/backups',
      tag: 'backups',
      summary: 'Backups of an environment, newest first (status: created | verified | failed)',
      query: backupListQuery,
      handler: async ({ params, query }) => ({
        backups: await s.backups.list({ app: params['app'] ?? '', env: params['env'] ?? '', ...(query.database ? { database: query.database } : {}) }),
      }),
    }),
    route({
      method: 'POST',
      url: '/api/apps/:app/environments/:env/backups',
      tag: 'backups',
      summary: 'Back up every database of the environment (or one) now; the upload is read back before it counts',
      status: 201,
      body: createBackupsBody,
      query: progressQuery,
      handler: async ({ params, body, query, actor, reply }) =>
        withProgress(reply, query.progress === '1', s.progress, async (log) => ({
          backups: await s.backups.create(actor, { app: params['app'] ?? '', env: params['env'] ?? '', ...(body.database ? { database: body.database } : {}) }, log),
        })),
    }),
    route({
      method: 'GET',
      url: '/api/backups/:id',
      tag: 'backups',
      summary: 'One backup with its last drill verdict',
      handler: async ({ params }) => ({ backup: await s.backups.get(params['id'] ?? '') }),
    }),
    route({
      method: 'POST',
      url: '/api/backups/:id/verify',
      tag: 'backups',
      summary: 'Restore drill: restore into a scratch database, run the checks, compare row counts, record the verdict',
      query: progressQuery,
      handler: async ({ params, query, actor, reply }) =>
        withProgress(reply, query.progress === '1', s.progress, async (log) => ({ backup: await s.backups.verify(actor, params['id'] ?? '', log) })),
    }),
    route({
      method: 'POST',
      url: '/api/backups/:id/restore',
      tag: 'backups',
      summary: 'Restore a backup into an environment (a safety backup is taken first); confirm must be "<app>/<env>"',
      body: restoreBody,
      query: progressQuery,
      handler: async ({ params, body, query, actor, reply }) =>
        withProgress(reply, query.progress === '1', s.progress, (log) => s.recovery.restore(actor, params['id'] ?? '', body, log)),
    }),
    route({
      method: 'POST',
      url: '/api/apps/:app/environments/:env/databases/:name/reinitialize',
      tag: 'backups',
      summary: 'Drop and recreate a database, empty (a safety backup first); confirm must be "<app>/<env>/<database>"',
      body: reinitializeBody,
      query: progressQuery,
      handler: async ({ params, body, query, actor, reply }) =>
        withProgress(reply, query.progress === '1', s.progress, (log) =>
          s.recovery.reinitialize(actor, { app: params['app'] ?? '', env: params['env'] ?? '', database: params['name'] ?? '', confirm: body.confirm }, log),
        ),
    }),
  ];
}
