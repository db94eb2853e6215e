// Environment locks on the wire.
import { z } from 'zod';
import type { Lock } from '../model.js';

/** `PUT /api/apps/:app/environments/:env/lock` */
export const lockBody = z.strictObject({ reason: z.string().min(1, 'say why the environment is locked').max(500) });
export type LockRequest = z.input<typeof lockBody>;

/** A held lock with its app and environment names (`GET /api/locks`). */
export interface LockView extends Lock {
  app: string;
  environment: string;
}
