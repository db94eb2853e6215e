// After interpolation, `docker stack deploy` turns the substituted strings at some paths back
// into numbers or booleans (docker/cli cli/compose/loader/interpolate.go, "type cast mapping"),
// so `replicas: ${REPLICAS}` with REPLICAS=2 is the integer 2. Only strings that interpolation
// changed are cast, as there. `*` matches any key or list index.

type Cast = (text: string) => unknown;

const toInt: Cast = (t) => (/^[+-]?\d+$/.test(t) ? Number(t) : undefined);
const toFloat: Cast = (t) => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : undefined);
const toBoolean: Cast = (t) => {
  const v = t.toLowerCase();
  if (['y', 'yes', 'true', 'on'].includes(v)) return true;
  if (['n', 'no', 'false', 'off'].includes(v)) return false;
  return undefined;
};

const service = (...rest: string[]) => ['services', '*', ...rest];

const CASTS: ReadonlyArray<readonly [string[], Cast, string]> = [
  [service('configs', '*', 'mode'), toInt, 'an integer'],
  [service('secrets', '*', 'mode'), toInt, 'an integer'],
  [service('healthcheck', 'retries'), toInt, 'an integer'],
  [service('healthcheck', 'disable'), toBoolean, 'a boolean'],
  [service('deploy', 'replicas'), toInt, 'an integer'],
  [service('deploy', 'update_config', 'parallelism'), toInt, 'an integer'],
  [service('deploy', 'update_config', 'max_failure_ratio'), toFloat, 'a number'],
  [service('deploy', 'rollback_config', 'parallelism'), toInt, 'an integer'],
  [service('deploy', 'rollback_config', 'max_failure_ratio'), toFloat, 'a number'],
  [service('deploy', 'restart_policy', 'max_attempts'), toInt, 'an integer'],
  [service('deploy', 'placement', 'max_replicas_per_node'), toInt, 'an integer'],
  [service('ports', '*', 'target'), toInt, 'an integer'],
  [service('ports', '*', 'published'), toInt, 'an integer'],
  [service('ulimits', '*'), toInt, 'an integer'],
  [service('ulimits', '*', 'hard'), toInt, 'an integer'],
  [service('ulimits', '*', 'soft'), toInt, 'an integer'],
  [service('privileged'), toBoolean, 'a boolean'],
  [service('read_only'), toBoolean, 'a boolean'],
  [service('stdin_open'), toBoolean, 'a boolean'],
  [service('tty'), toBoolean, 'a boolean'],
  [service('volumes', '*', 'read_only'), toBoolean, 'a boolean'],
  [service('volumes', '*', 'volume', 'nocopy'), toBoolean, 'a boolean'],
  [['networks', '*', 'external'], toBoolean, 'a boolean'],
  [['networks', '*', 'internal'], toBoolean, 'a boolean'],
  [['networks', '*', 'attachable'], toBoolean, 'a boolean'],
  [['volumes', '*', 'external'], toBoolean, 'a boolean'],
  [['secrets', '*', 'external'], toBoolean, 'a boolean'],
  [['configs', '*', 'external'], toBoolean, 'a boolean'],
];

const matches = (pattern: readonly string[], path: readonly string[]) =>
  pattern.length === path.length && pattern.every((seg, i) => seg === '*' || seg === path[i]);

/** The typed value for an interpolated string at `path`, or an error message; strings elsewhere stay strings. */
export function castInterpolated(path: readonly string[], text: string): { value: unknown } | { error: string } {
  const rule = CASTS.find(([pattern]) => matches(pattern, path));
  if (!rule) return { value: text };
  const [, cast, expected] = rule;
  const value = cast(text);
  return value === undefined ? { error: `${JSON.stringify(text)} (after interpolation) is not ${expected}` } : { value };
}
