// The data dir must be the same wherever the server or the CLI starts: never the cwd's.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { defaultDataDir, makeDataDir } from '../../src/platform/default-data-dir.js';
import { readSettings } from '../../src/platform/env.js';

describe('the default data dir', () => {
  it('is /var/lib/slipway for root, whatever HOME says', () => {
    assert.equal(defaultDataDir({ uid: 0, home: '/root', xdgStateHome: '/root/.state' }), '/var/lib/slipway');
  });

  it('is $XDG_STATE_HOME/slipway for a user who sets it, else ~/.local/state/slipway', () => {
    assert.equal(defaultDataDir({ uid: 1000, home: '/home/ann', xdgStateHome: '/srv/state' }), '/srv/state/slipway');
    assert.equal(defaultDataDir({ uid: 1000, home: '/home/ann', xdgStateHome: undefined }), '/home/ann/.local/state/slipway');
    // A relative XDG_STATE_HOME is invalid by the XDG spec and ignored.
    assert.equal(defaultDataDir({ uid: 1000, home: '/home/ann', xdgStateHome: 'state' }), '/home/ann/.local/state/slipway');
  });

  it('refuses to guess without a home, naming the setting to use', () => {
    assert.throws(() => defaultDataDir({ uid: 1000, home: undefined, xdgStateHome: undefined }), /set SLIPWAY_DATA_DIR to an absolute path/);
  });

  it('does not depend on the current directory; SLIPWAY_DATA_DIR still wins, relative to the cwd', () => {
    const expected = process.getuid?.() === 0 ? '/var/lib/slipway' : path.join(os.homedir(), '.local', 'state', 'slipway');
    assert.equal(readSettings({ HOME: os.homedir() }).dataDir, expected);
    assert.ok(!readSettings({ HOME: os.homedir() }).dataDir.startsWith(process.cwd()));
    assert.equal(readSettings({ SLIPWAY_DATA_DIR: 'here' }).dataDir, path.join(process.cwd(), 'here'));
  });

  it('is made with its missing parents, the data dir itself 0700', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'slipway-datadir-'));
    try {
      const dir = path.join(root, 'a', 'b', 'slipway');
      await makeDataDir(dir, true);
      assert.equal((await stat(dir)).mode & 0o777, 0o700);
      assert.equal((await stat(path.join(root, 'a', 'b'))).mode & 0o777, 0o755, 'as root, app users can pass through the parents');
      const own = path.join(root, 'home', '.local', 'state', 'slipway');
      await makeDataDir(own, false);
      assert.equal((await stat(path.join(root, 'home', '.local'))).mode & 0o777, 0o700);
      await makeDataDir(own, false); // again: nothing to do, no error
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
