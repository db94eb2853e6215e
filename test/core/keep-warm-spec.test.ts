// `keep_warm:` in slipway.yml: the default, top level against environment, and errors naming the path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepWarmOf } from '../../src/core/app-spec.js';
import { parseAppSpec } from '../../src/core/config-file.js';
import { ConfigError } from '../../src/core/errors.js';

const spec = (top: string, env = '{}') =>
  parseAppSpec(`processes: { web: { command: ["node", "s.js"] } }\n${top}environments:\n  staging: ${env}\n  production: {}\n`);

function message(top: string, env?: string): string {
  try {
    spec(top, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  throw new Error('expected a ConfigError');
}

test('on by default: 10 minutes, 1 GiB', () => {
  assert.deepEqual(keepWarmOf(spec(''), 'staging'), { forMs: 600_000, maxMemoryBytes: 1024 ** 3 });
  assert.deepEqual(keepWarmOf(spec('keep_warm: true\n'), 'staging'), { forMs: 600_000, maxMemoryBytes: 1024 ** 3 });
});

test('the environment overrides the top level; false turns it off', () => {
  const s = spec('keep_warm: { for: 2m, max_memory: 512MB }\n', '{ keep_warm: false }');
  assert.equal(keepWarmOf(s, 'staging'), null);
  assert.deepEqual(keepWarmOf(s, 'production'), { forMs: 120_000, maxMemoryBytes: 512 * 1024 ** 2 });
  assert.deepEqual(keepWarmOf(spec('keep_warm: false\n', '{ keep_warm: { for: 30s } }'), 'staging'), { forMs: 30_000, maxMemoryBytes: 1024 ** 3 });
});

test('errors name the path and the expected form', () => {
  assert.match(message('keep_warm: { for: soon }\n'), /keep_warm\.for: expected a duration like "10m"/);
  assert.match(message('', '{ keep_warm: { max_memory: lots } }'), /environments\.staging\.keep_warm\.max_memory: expected a size like "512MB"/);
  assert.match(message('keep_warm: { forever: true }\n'), /keep_warm/);
  assert.match(message('keep_warm: 10m\n'), /keep_warm: expected false, true, or \{ for: "10m", max_memory: "512MB" \}/);
});
