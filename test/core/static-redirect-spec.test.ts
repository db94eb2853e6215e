// slipway.yml's static, redirects and route.script_name: what is accepted, and refusals naming the field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAppSpec } from '../../src/core/config-file.js';

const base = (extra: string, env = ''): string => `processes:
  web: { command: [node, server.js], http: true }
${extra}
environments:
  production:
    route: { host: example.test, path: /event1, script_name: true }
${env}
`;

test('static mounts, redirects and script_name parse with their defaults', () => {
  const spec = parseAppSpec(base('static:\n  - { path: /static, dir: app/static }\n  - { path: /robots.txt, file: robots.txt, try_files: true }', '    redirects:\n      - { from_host: help.example.test, to: "https://example.test/help/" }'));
  assert.deepEqual(spec.static, [
    { path: '/static', dir: 'app/static', try_files: false },
    { path: '/robots.txt', file: 'robots.txt', try_files: true },
  ]);
  assert.deepEqual(spec.environments['production']?.redirects, [{ from_host: 'help.example.test', to: 'https://example.test/help/', status: 301, keep_path: false }]);
  assert.equal(spec.environments['production']?.route?.script_name, true);
});

test('refuses static paths outside the release, naming the field', () => {
  assert.throws(() => parseAppSpec(base('static:\n  - { path: /static, dir: /etc }')), /static\.0\.dir.*relative to the release root/s);
  assert.throws(() => parseAppSpec(base('static:\n  - { path: /static, dir: app/../../etc }')), /static\.0\.dir/);
  assert.throws(() => parseAppSpec(base('static:\n  - { path: /x, file: "..\\\\secret" }')), /static\.0\.file/);
  assert.throws(() => parseAppSpec(base('static:\n  - { path: static, dir: app }')), /static\.0\.path/);
  assert.throws(() => parseAppSpec(base('static:\n  - { path: /s, dir: a, file: b }')), /static\.0\.dir.*exactly one/s);
});

test('refuses a redirect with both or neither source, or a bad status', () => {
  assert.throws(() => parseAppSpec(base('', '    redirects:\n      - { to: /new }')), /redirects\.0\.from_host.*exactly one/s);
  assert.throws(() => parseAppSpec(base('', '    redirects:\n      - { from_path: /old, to: /new, status: 303 }')), /redirects\.0\.status/);
  assert.throws(() => parseAppSpec(base('', '    redirects:\n      - { from_path: /old, to: "javascript:x" }')), /redirects\.0\.to/);
});
