import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { projectRoot } from '../support/entry.js';
import { runCli, tempDir } from './run-cli.js';

describe('slipway config (local, no server)', () => {
  const tmp = tempDir();
  after(() => tmp.remove());
  const file = (name: string, text: string) => {
    const p = path.join(tmp.dir, name);
    writeFileSync(p, text);
    return p;
  };
  let valid: string;
  before(() => {
    valid = path.join(tmp.dir, 'slipway.yml');
    copyFileSync(path.join(projectRoot, 'examples/hello/slipway.yml'), valid);
  });

  it('prints PATH: valid and exits 0 for a valid spec, found in the working directory by default', async () => {
    const r = await runCli(['config', 'validate'], { cwd: tmp.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'slipway.yml: valid\n');
    const r2 = await runCli(['config', 'validate', valid]);
    assert.equal(r2.stdout, `${valid}: valid\n`);
  });

  const invalid: Array<[string, string, RegExp[]]> = [
    ['wrong type', 'environments:\n  staging:\n    branch: 3\n', [/: environments\.staging\.branch: expected a string, got a number$/m]],
    ['unknown key', 'environments:\n  staging:\n    brnach: main\n', [/: environments\.staging: unknown key "brnach"/m]],
    ['bad YAML', 'environments:\n  staging: [\n', [/: line \d+, column \d+: /m]],
    ['no environments', 'processes: {}\n', [/: environments: is required/m]],
    ['two problems', 'driver: kubernetes\nenvironments:\n  Staging: {}\n', [/: driver: expected one of "process", "swarm"/m, /: environments\.Staging/m]],
  ];
  for (const [name, text, patterns] of invalid) {
    it(`exits 2 naming the file and path, leaving the file unchanged: ${name}`, async () => {
      const p = file(`${name.replace(/ /g, '-')}.yml`, text);
      const before = statSync(p).mtimeMs;
      const r = await runCli(['config', 'validate', p]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      for (const line of r.stderr.trim().split('\n')) assert.ok(line.startsWith(`${p}: `), `every line names the file: ${line}`);
      for (const re of patterns) assert.match(r.stderr, re);
      assert.equal(readFileSync(p, 'utf8'), text);
      assert.equal(statSync(p).mtimeMs, before);
    });
  }

  it('exits 2 with a clear message when the file is missing', async () => {
    const missing = path.join(tmp.dir, 'nope.yml');
    const r = await runCli(['config', 'validate', missing]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no such file`));
  });

  it('--json: {file, valid} when valid; {error: {code, message, details.issues}} on stdout with exit 2 when not; a YAML position is said once', async () => {
    const ok = await runCli(['config', 'validate', valid, '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { file: valid, valid: true });
    const p = file('json-bad.yml', 'environments:\n  staging: [\n');
    const bad = await runCli(['config', 'validate', p, '--json']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, '');
    const body = JSON.parse(bad.stdout) as { error: { code: string; message: string; details: { issues: Array<{ path: string; message: string }> } } };
    assert.equal(body.error.code, 'invalid_config');
    const issue = body.error.details.issues[0];
    assert.ok(issue);
    assert.match(issue.path, /^line \d+, column \d+$/);
    assert.doesNotMatch(issue.message, /at line \d+/, 'the position is given once, as the path');
  });

  it('config schema prints the JSON Schema', async () => {
    const r = await runCli(['config', 'schema']);
    assert.equal(r.code, 0, r.stderr);
    const schema = JSON.parse(r.stdout) as { properties?: Record<string, unknown> };
    assert.ok(schema.properties?.['environments']);
    assert.ok(schema.properties?.['processes']);
  });
});
