// The message of the ConfigError that parsing a slipway.yml text must raise (fails the test when
// it parses, or fails otherwise).
import assert from 'node:assert/strict';
import { parseAppSpec } from '../../src/core/config-file.js';
import { ConfigError } from '../../src/core/errors.js';

export function specErrorMessage(text: string): string {
  try {
    parseAppSpec(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  throw new Error('expected a ConfigError');
}

/** A one-process spec with `route` as production's route (flow-style YAML). */
export const specWithRoute = (route: string) => `processes: { web: { command: ["node", "s.js"], http: true } }\nenvironments:\n  production:\n    route: ${route}\n`;
