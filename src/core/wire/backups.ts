// Data safety on the wire: backups, restores, re-initialisation.
import { z } from 'zod';
import type { Backup } from '../model.js';

/** `POST /api/apps/:app/environments/:env/backups`: every database, or one. */
export const createBackupsBody = z.strictObject({ database: z.string().min(1).optional() });
export type CreateBackupsRequest = z.input<typeof createBackupsBody>;

/** `GET /api/apps/:app/environments/:env/backups` */
export const backupListQuery = z.strictObject({ database: z.string().min(1).optional() });

/** `POST /api/backups/:id/restore`; confirm must be "<app>/<env>". */
export const restoreBody = z.strictObject({ to: z.strictObject({ app: z.string().min(1), env: z.string().min(1) }), confirm: z.string() });
export type RestoreRequest = z.input<typeof restoreBody>;

/** `POST /api/apps/:app/environments/:env/databases/:name/reinitialize`; confirm must be "<app>/<env>/<database>". */
export const reinitializeBody = z.strictObject({ confirm: z.string() });
export type ReinitializeRequest = z.input<typeof reinitializeBody>;

/** The answer of a restore. */
export interface RestoreOutcome {
  restored: Backup;
  /** The backup taken of the database just before it was overwritten. */
  safety: Backup;
  rowCounts: Record<string, number>;
}
