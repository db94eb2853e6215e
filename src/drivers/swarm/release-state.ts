// What the Swarm driver records with a release (Release.driverState), validated when read back.
import { z } from 'zod';
import { PreconditionError } from '../../core/errors.js';
import type { ServiceSpec } from './compose/swarm-types.js';

export const swarmReleaseStateSchema = z.object({
  stack: z.string().min(1),
  /** The built image by digest: "registry/app@sha256:…". */
  image: z.string().min(1),
  /** The tag pushed at build time ("registry/app:<short-sha>"). */
  tag: z.string().optional(),
  /** Compose services that run the built image. */
  imageServices: z.array(z.string()),
  /** The compose file as built (so promotion and rollback need no source tree). */
  compose: z.string(),
  composeFile: z.string(),
  /** `file:` sources of configs, relative path -> base64. Secrets never come from files. */
  configFiles: z.record(z.string(), z.string()).default({}),
  /** Full service specs as sent at start (with secret/config names and ids). */
  services: z.array(z.custom<ServiceSpec>((v) => typeof v === 'object' && v !== null)).optional(),
});

export type SwarmReleaseState = z.output<typeof swarmReleaseStateSchema>;

export function readReleaseState(state: Record<string, unknown>, releaseId: string): SwarmReleaseState {
  const parsed = swarmReleaseStateSchema.safeParse(state);
  if (!parsed.success) {
    throw new PreconditionError(`release ${releaseId} has no usable Swarm driver state (${parsed.error.issues[0]?.message ?? 'invalid'}); was it built by the Swarm driver? Deploy a new release instead`);
  }
  return parsed.data;
}
