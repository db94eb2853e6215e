// The detached launcher: a process in its own session, output to a log file, pid returned.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { CommandFailedError } from '../../src/core/errors.js';
import { launchDetached } from '../../src/platform/detached-launch.js';
import { waitUntil } from '../support/wait-until.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('a launched process runs in its own session, logs to its file, and reads its input', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-detached-'));
  dirs.push(dir);
  const logFile = path.join(dir, 'p.log');
  const script = "let s=''; process.stdin.on('data', (c) => (s += c)).on('end', () => { console.log('got ' + s); setInterval(() => {}, 1000); })";
  const p = await launchDetached([process.execPath, '-e', script], { name: 'the test process', env: {}, logFile, input: 'spec' });
  t.after(() => {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  });
  await waitUntil('the log line', async () => (await readFile(logFile, 'utf8').catch(() => '')) === 'got spec\n', 5000);
  assert.equal((await stat(logFile)).mode & 0o777, 0o600);
  const fields = readFileSync(`/proc/${p.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  assert.equal(Number(fields[2]), p.pid, 'leads its own process group');
  assert.equal(Number(fields[3]), p.pid, 'leads its own session');
  assert.equal(p.ended(), null);
  process.kill(p.pid, 'SIGTERM');
  await waitUntil('the exit seen', () => p.ended() !== null, 5000);
  assert.equal(p.ended(), 'was killed by SIGTERM');
});

test('a program that cannot start is a clear error', async () => {
  await assert.rejects(launchDetached(['no-such-program-slipway'], { name: 'the edge', env: {} }), (err: unknown) => {
    assert.ok(err instanceof CommandFailedError);
    assert.equal(err.message, 'the edge could not start: program "no-such-program-slipway" was not found (is it installed and on PATH?)');
    return true;
  });
});
