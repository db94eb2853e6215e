// `slipway service install` writes a unit that systemd itself accepts (systemd-analyze verify:
// syntax, and ExecStart's program must exist) and that runs this very bundle with the data dir.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { baseChildEnv } from '../../src/platform/env.js';
import { systemdUnit } from '../../src/cli/systemd-unit.js';
import { projectRoot } from '../support/entry.js';

const bundle = path.join(projectRoot, 'dist', 'bundle', 'slipway.mjs');
const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { ...baseChildEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** systemd-analyze verify: exit 0 and not a word (a bad value is only a warning on stderr). */
async function verify(file: string): Promise<{ ok: boolean; output: string }> {
  const r = await run(analyze as string, ['verify', file]);
  return { ok: r.code === 0 && r.stderr.trim() === '', output: r.stdout + r.stderr };
}

describe('slipway service install', { skip: !existsSync(bundle) ? `${bundle} is not built (npm run build)` : !analyze ? 'systemd-analyze is missing (apt-get install systemd)' : false }, () => {
  let dir: string;
  const dataDir = '/srv/slipway data';
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-unit-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes a unit systemd accepts, running this node and bundle on the data dir', async () => {
    const r = await run(process.execPath, [bundle, 'service', 'install', '--unit-dir', dir, '--env', 'SLIPWAY_EDGE_PORT=80', '--env', 'LOG_LEVEL=warn'], { SLIPWAY_DATA_DIR: dataDir });
    assert.equal(r.code, 0, r.stderr);
    const file = path.join(dir, 'slipway.service');
    assert.match(r.stderr, new RegExp(`wrote ${file.replace(/[.]/g, '\\.')}`));
    const unit = await readFile(file, 'utf8');
    const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.split(' ');
    assert.deepEqual(exec, [process.execPath, bundle, 'server']);
    for (const f of exec.slice(0, 2)) assert.ok(existsSync(f), `${f} exists`);
    assert.match(unit, /^Environment="SLIPWAY_DATA_DIR=\/srv\/slipway data"$/m);
    assert.match(unit, /^Environment="SLIPWAY_EDGE_PORT=80"$/m);
    assert.match(unit, /^KillMode=process$/m);
    assert.match(unit, /^Restart=on-failure$/m);
    assert.match(unit, /^After=network-online\.target docker\.service$/m);
    const v = await verify(file);
    assert.ok(v.ok, v.output);
  });

  it('the check is real: a broken unit or a missing program fails it', async () => {
    const good = systemdUnit({ node: process.execPath, cli: bundle, dataDir, env: {}, system: true });
    const broken = path.join(dir, 'broken.service');
    await writeFile(broken, good.replace('Restart=on-failure', 'Restart=sometimes'));
    assert.equal((await verify(broken)).ok, false);
    const missing = path.join(dir, 'missing.service');
    await writeFile(missing, good.replace(`ExecStart=${process.execPath}`, 'ExecStart=/nonexistent/node'));
    assert.equal((await verify(missing)).ok, false);
    const user = path.join(dir, 'user.service');
    await writeFile(user, systemdUnit({ node: process.execPath, cli: bundle, dataDir, env: { LOG_LEVEL: '100%' }, system: false }));
    const v = await verify(user);
    assert.ok(v.ok, v.output);
  });

  it('refuses to overwrite a different unit without --force, and secrets or unknown settings', async () => {
    const file = path.join(dir, 'slipway.service');
    const other = await run(process.execPath, [bundle, 'service', 'install', '--unit-dir', dir], { SLIPWAY_DATA_DIR: '/elsewhere' });
    assert.equal(other.code, 1);
    assert.match(other.stderr, new RegExp(`${file.replace(/[.]/g, '\\.')} exists and differs .* --force`));
    assert.match(await readFile(file, 'utf8'), /SLIPWAY_DATA_DIR=\/srv\/slipway data/, 'left as it was');
    const forced = await run(process.execPath, [bundle, 'service', 'install', '--unit-dir', dir, '--force'], { SLIPWAY_DATA_DIR: '/elsewhere' });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(await readFile(file, 'utf8'), /SLIPWAY_DATA_DIR=\/elsewhere"/);
    const secret = await run(process.execPath, [bundle, 'service', 'install', '--print', '--env', 'SLIPWAY_MASTER_KEY=abc'], { SLIPWAY_DATA_DIR: '/elsewhere' });
    assert.equal(secret.code, 2);
    assert.match(secret.stderr, /--env SLIPWAY_MASTER_KEY: a secret does not go into a unit file/);
    assert.ok(!secret.stderr.includes('abc') && !secret.stdout.includes('abc'));
    const typo = await run(process.execPath, [bundle, 'service', 'install', '--print', '--env', 'SLIPWAY_EDGE_PROT=80'], { SLIPWAY_DATA_DIR: '/elsewhere' });
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /--env SLIPWAY_EDGE_PROT: not a Slipway setting/);
  });

  it('--print writes the unit to stdout and nothing to disk', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'slipway-unit-print-'));
    try {
      const r = await run(process.execPath, [bundle, 'service', 'install', '--print'], { SLIPWAY_DATA_DIR: dataDir, XDG_CONFIG_HOME: empty, HOME: empty });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^\[Service\]$/m);
      assert.ok(!existsSync(path.join(empty, 'systemd')));
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
