// Issue 12 item 9: stored text (here a lock reason, stored by a real control plane) that holds
// terminal control sequences reaches the CLI's human output as visible escapes, never raw.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { terminalSafe } from '../../src/cli/terminal-safe.js';
import { createAppRepo } from '../http/app-repo.js';
import { startControlPlane, type TestControlPlane } from '../http/control-plane.js';
import { runCli, serverEnv } from '../cli/run-cli.js';
import type { TestRepo } from '../support/git-repo.js';

// Sets the window title, clears the screen, returns to the line start to overwrite it, and
// reverses the text's direction.
const HOSTILE = 'data migration\u001b]0;pwned\u0007\u001b[2J\rALL CLEAR\u202e';
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('the CLI never prints raw control characters', () => {
  let cp: TestControlPlane;
  let repo: TestRepo;
  before(async () => {
    cp = await startControlPlane();
    repo = await createAppRepo();
    assert.equal((await cp.request('POST', '/api/apps', { body: { name: 'shop', repo: repo.bare } })).status, 201);
    const locked = await cp.request('PUT', '/api/apps/shop/environments/staging/lock', { body: { reason: HOSTILE } });
    assert.equal(locked.status, 200, locked.text);
  });
  after(async () => {
    await cp?.close();
    await repo?.cleanup();
  });

  test('slipway locks', async () => {
    const r = await runCli(['locks'], { env: serverEnv(cp) });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, RAW_CONTROL);
    assert.match(r.stdout, /data migration\\x1b\]0;pwned\\x07\\x1b\[2J\\x0dALL CLEAR\\u202e/);
  });

  test('slipway status (the reason truncated after escaping)', async () => {
    const r = await runCli(['status'], { env: serverEnv(cp) });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, RAW_CONTROL);
    assert.match(r.stdout, /data migration\\x1b\]0;pwned/);
  });

  test('--json keeps the exact text (JSON escapes it)', async () => {
    const r = await runCli(['locks', '--json'], { env: serverEnv(cp) });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, RAW_CONTROL);
    const parsed = JSON.parse(r.stdout) as { locks: { reason: string }[] };
    assert.equal(parsed.locks[0]?.reason, HOSTILE);
  });

  test('tabs and newlines stay as they are', () => {
    assert.equal(terminalSafe('a\tb\nc'), 'a\tb\nc');
    assert.equal(terminalSafe('\u0000\u009b\u2066'), '\\x00\\x9b\\u2066');
  });
});
