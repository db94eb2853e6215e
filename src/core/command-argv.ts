// The argv a command of slipway.yml runs with: its `${NAME}` references expanded (see
// core/argv-variables.ts) from the spec's variables and Slipway's own names, never from secrets.
import { ArgvSyntaxError, expandArgv, PROCESS_BUILTINS, HTTP_BUILTIN } from './argv-variables.js';
import { StepFailedError } from './errors.js';
import type { DriverContext } from './ports/runtime-driver.js';

/** What `${NAME}` may expand to in this context's commands (a variable that a secret overrides is left out). */
export function argvValues(ctx: DriverContext, releaseId: string): Record<string, string> {
  const values: Record<string, string> = {
    ...ctx.spec.variables,
    ...ctx.envSpec.variables,
    SLIPWAY_APP: ctx.app.name,
    SLIPWAY_ENV: ctx.environment.name,
    SLIPWAY_RELEASE: releaseId,
  };
  for (const name of Object.keys(ctx.secrets)) delete values[name];
  return values;
}

/** The expanded argv of a build, test or release command; a reference it cannot expand fails the step naming it. */
export function expandCommand(ctx: DriverContext, label: string, argv: readonly string[], values: Record<string, string>): string[] {
  try {
    return expandArgv(argv, values);
  } catch (err) {
    if (!(err instanceof ArgvSyntaxError)) throw err;
    throw new StepFailedError(`${label}: ${err.message}${secretHint(ctx, err.message)}`);
  }
}

/**
 * Checks before a supervisor starts that every instance's argv expands (the supervisor adds PORT,
 * SLIPWAY_PROCESS and SLIPWAY_INSTANCE per instance), so a bad reference fails the deploy here.
 */
export function checkProcessArgv(ctx: DriverContext, instances: ReadonlyArray<{ process: string; argv: string[]; port: number | null }>, values: Record<string, string>): void {
  for (const inst of instances) {
    const perInstance: Record<string, string> = Object.fromEntries(PROCESS_BUILTINS.map((n) => [n, '0']));
    if (inst.port !== null) perInstance[HTTP_BUILTIN] = String(inst.port);
    expandCommand(ctx, `the command of process ${inst.process}`, inst.argv, { ...values, ...perInstance });
  }
}

function secretHint(ctx: DriverContext, message: string): string {
  const name = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(message)?.[1];
  return name && name in ctx.secrets
    ? ` (${name} is a secret of ${ctx.environment.name}: secrets are never put on a command line, which every user of the host can read; read it from the environment)`
    : '';
}
