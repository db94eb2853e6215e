// The environment of build, release and app processes: a clean base, the app's variables,
// then its secrets. Secrets only ever travel in the environment, never in argv or files.
import { baseChildEnv } from '../../platform/env.js';
import { Redactor } from '../../core/redactor.js';
import type { DriverContext } from '../../core/ports/runtime-driver.js';

export function commandEnv(ctx: DriverContext, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { ...baseChildEnv(), ...ctx.variables };
  for (const [name, value] of Object.entries(ctx.secrets)) env[name] = value.reveal();
  env['SLIPWAY_APP'] = ctx.app.name;
  env['SLIPWAY_ENV'] = ctx.environment.name;
  return { ...env, ...extra };
}

/** Replaces every secret value of the context; for text that ends up in errors. */
export function secretRedactor(ctx: DriverContext): Redactor {
  const redactor = new Redactor();
  for (const value of Object.values(ctx.secrets)) redactor.add(value.reveal());
  return redactor;
}
