// The environment of every git process: hermetic (no system or global git config, C locale, no
// prompts) plus per-call settings passed as GIT_CONFIG_COUNT/KEY/VALUE, which keeps them out of argv.
import { baseChildEnv } from '../platform/env.js';

/** Settings applied to every git call, whatever the user's own git configuration says. */
const ALWAYS: Array<[string, string]> = [
  ['gc.autoDetach', 'false'], // no background gc left running after a fetch returns
  ['maintenance.autoDetach', 'false'],
  ['core.askPass', ''],
  ['credential.helper', ''],
  ['protocol.ext.allow', 'never'], // ext:: runs arbitrary commands
  ['protocol.fd.allow', 'never'],
];

export function gitEnv(config: ReadonlyArray<readonly [string, string]> = []): Record<string, string> {
  const env: Record<string, string> = {
    ...baseChildEnv(),
    LC_ALL: 'C',
    LANG: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
  };
  const all = [...ALWAYS, ...config];
  all.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  env.GIT_CONFIG_COUNT = String(all.length);
  return env;
}
