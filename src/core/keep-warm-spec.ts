// `keep_warm` in slipway.yml (top level or per environment): how long a release replaced by a
// deploy keeps running, unrouted, so that a rollback to it is a health check and a route swap.
import { z } from 'zod';
import { parseByteSize } from './byte-size.js';
import { parseDuration } from './duration.js';

export const KEEP_WARM_DEFAULT_MS = 10 * 60_000;
export const KEEP_WARM_DEFAULT_MAX_MEMORY = 1024 ** 3;

const keepFor = z
  .string()
  .refine((s) => (parseDuration(s) ?? 0) > 0, { message: 'expected a duration like "10m", "90s" or "1h"' })
  .transform((s) => parseDuration(s) as number);

const maxMemory = z
  .union([z.string(), z.number()])
  .refine((v) => (parseByteSize(v) ?? 0) > 0, { message: 'expected a size like "512MB", "1GiB" or a number of bytes' })
  .transform((v) => parseByteSize(v) as number);

export const keepWarmSchema = z
  .union(
    [
      z.boolean(),
      z.strictObject({
        for: keepFor.optional().describe('How long the replaced release stays up (default "10m").'),
        max_memory: maxMemory
          .optional()
          .describe('Retire it at once instead when its processes use more resident memory than this in total (default "1GiB").'),
      }),
    ],
    { error: () => 'expected false, true, or { for: "10m", max_memory: "512MB" }' },
  )
  .describe(
    'Keep the release a deploy replaces running, unrouted, for a fast rollback (process driver; default on for 10 minutes with a 1 GiB memory cap). false: stop it at once.',
  );

export type KeepWarmInput = z.output<typeof keepWarmSchema>;

export interface KeepWarmPolicy {
  forMs: number;
  maxMemoryBytes: number;
}

/** The environment's setting wins over the top level; none given: on, with the defaults. */
export function keepWarmPolicy(topLevel: KeepWarmInput | undefined, environment: KeepWarmInput | undefined): KeepWarmPolicy | null {
  const chosen = environment ?? topLevel ?? true;
  if (chosen === false) return null;
  const o = chosen === true ? {} : chosen;
  return { forMs: o.for ?? KEEP_WARM_DEFAULT_MS, maxMemoryBytes: o.max_memory ?? KEEP_WARM_DEFAULT_MAX_MEMORY };
}
