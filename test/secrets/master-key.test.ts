import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../src/core/errors.js';
import { loadMasterKey } from '../../src/secrets/master-key.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slipway-master-key-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const newDataDir = () => path.join(tmp, `data-${++dirs}`);

describe('loadMasterKey', () => {
  test('creates <dataDir>/master.key with 32 random bytes and mode 0600 on first start', async () => {
    const dataDir = newDataDir();
    const key = await loadMasterKey({ dataDir });
    assert.equal(key.length, 32);
    const file = path.join(dataDir, 'master.key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readFileSync(file), key);
    assert.deepEqual(readdirSync(dataDir), ['master.key'], 'no temporary file is left behind');
  });

  test('reuses the existing key file', async () => {
    const dataDir = newDataDir();
    const first = await loadMasterKey({ dataDir });
    const second = await loadMasterKey({ dataDir });
    assert.deepEqual(second, first);
  });

  test('concurrent first starts agree on one key', async () => {
    const dataDir = newDataDir();
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadMasterKey({ dataDir })));
    for (const k of keys) assert.deepEqual(k, keys[0]);
    assert.deepEqual(readFileSync(path.join(dataDir, 'master.key')), keys[0]);
    assert.deepEqual(readdirSync(dataDir), ['master.key']);
  });

  test('refuses a key file readable by group or others, telling to chmod 600', async () => {
    const dataDir = newDataDir();
    await loadMasterKey({ dataDir });
    const file = path.join(dataDir, 'master.key');
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      chmodSync(file, mode);
      await assert.rejects(loadMasterKey({ dataDir }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /chmod 600/);
        assert.ok(err.message.includes(file));
        return true;
      });
    }
  });

  test('refuses a key file that holds no key, and leaves it alone', async () => {
    const dataDir = newDataDir();
    await loadMasterKey({ dataDir });
    const file = path.join(dataDir, 'master.key');
    writeFileSync(file, 'short', { mode: 0o600 });
    await assert.rejects(loadMasterKey({ dataDir }), /is not a master key/);
    assert.equal(readFileSync(file, 'utf8'), 'short');
  });

  test('accepts a key file written as hex text', async () => {
    const dataDir = newDataDir();
    const key = randomBytes(32);
    await loadMasterKey({ dataDir });
    writeFileSync(path.join(dataDir, 'master.key'), `${key.toString('hex')}\n`, { mode: 0o600 });
    assert.deepEqual(await loadMasterKey({ dataDir }), key);
  });

  test('SLIPWAY_MASTER_KEY wins: 64 hex characters or base64 of 32 bytes', async () => {
    const dataDir = newDataDir();
    const key = randomBytes(32);
    assert.deepEqual(await loadMasterKey({ dataDir, fromEnv: key.toString('hex') }), key);
    assert.deepEqual(await loadMasterKey({ dataDir, fromEnv: key.toString('hex').toUpperCase() }), key);
    assert.deepEqual(await loadMasterKey({ dataDir, fromEnv: key.toString('base64') }), key);
    assert.deepEqual(await loadMasterKey({ dataDir, fromEnv: ` ${key.toString('base64')}\n` }), key);
    assert.throws(() => statSync(path.join(dataDir, 'master.key')), /ENOENT/, 'no key file is created');
  });

  test('a bad SLIPWAY_MASTER_KEY is rejected, naming the variable and the format, not the value', async () => {
    const dataDir = newDataDir();
    const bad = [
      'hunter2-not-a-key',
      randomBytes(16).toString('hex'),
      randomBytes(31).toString('base64'),
      randomBytes(33).toString('base64'),
      `${randomBytes(32).toString('hex')}ff`,
      '',
    ];
    for (const fromEnv of bad) {
      await assert.rejects(loadMasterKey({ dataDir, fromEnv }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /SLIPWAY_MASTER_KEY/);
        assert.match(err.message, /64 hex characters/);
        assert.match(err.message, /base64/);
        if (fromEnv.length > 0) assert.ok(!err.message.includes(fromEnv));
        return true;
      });
    }
  });
});
