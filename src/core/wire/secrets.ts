// Secrets on the wire: set one (the value only in the request body), list names (never values).
import { z } from 'zod';
import type { SecretRef } from '../model.js';
import { Sensitive } from '../sensitive.js';

/** `PUT /api/apps/:app/secrets/:name`; the value is wrapped in Sensitive as soon as it is parsed. */
export const setSecretBody = z.strictObject({
  value: z.string().min(1, 'a secret value must not be empty').max(64 * 1024).transform((v) => new Sensitive(v)),
  env: z.string().min(1).optional(),
});
export type SetSecretRequest = z.input<typeof setSecretBody>;

/** `?env=` of listing and removing secrets. */
export const secretEnvQuery = z.strictObject({ env: z.string().min(1).optional() });

/** A secret's name and scope (`GET /api/apps/:app/secrets`). */
export interface SecretView extends SecretRef {
  app: string;
  environment: string | null;
}
