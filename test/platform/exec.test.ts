// The one way to run a process (src/platform/exec.ts), against real processes.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { closeSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { CommandFailedError } from '../../src/core/errors.js';
import { run, runChecked, spawnProcess } from '../../src/platform/exec.js';
import { waitUntil } from '../support/wait-until.js';

const node = process.execPath;
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Gone, or a zombie nobody has reaped yet (it runs no more code). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

function rejection(p: Promise<unknown>): Promise<CommandFailedError> {
  return p.then(
    () => assert.fail('expected a rejection'),
    (err: unknown) => {
      assert.ok(err instanceof CommandFailedError, `a CommandFailedError, not ${String(err)}`);
      return err;
    },
  );
}

test('output is streamed line by line, every line redacted before it leaves', async () => {
  const seen: string[] = [];
  const script = "console.log('one'); console.error('token=hunter22'); process.stdout.write('two\\r\\nthree hunter22'); ";
  const result = await runChecked([node, '-e', script], {
    redact: (text) => text.replaceAll('hunter22', '[redacted]'),
    onLine: (line, stream) => seen.push(`${stream}: ${line}`),
  });
  assert.deepEqual(seen.filter((l) => l.startsWith('stdout')), ['stdout: one', 'stdout: two', 'stdout: three [redacted]']);
  assert.deepEqual(seen.filter((l) => l.startsWith('stderr')), ['stderr: token=[redacted]']);
  assert.equal(result.stdout, 'one\ntwo\nthree [redacted]\n');
  assert.equal(result.stderr, 'token=[redacted]\n');
  assert.equal(result.code, 0);
});

test('a failure names the command (argv as JSON), the exit code and the last 10 lines of stderr, all redacted', async () => {
  const script = "for (let i = 1; i <= 12; i++) console.error('line ' + i + ' s3cret'); process.exit(3)";
  const err = await rejection(runChecked([node, '-e', script], { redact: (t) => t.replaceAll('s3cret', '***') }));
  const lines = Array.from({ length: 10 }, (_, i) => `line ${i + 3} ***`).join('\n');
  const command = JSON.stringify([node, '-e', script]).replaceAll('s3cret', '***');
  assert.equal(err.message, `${command} exited with code 3; last lines of stderr:\n${lines}`);
  assert.deepEqual(err.details, { exitCode: 3, signal: null });
  assert.deepEqual(err.argv, [node, '-e', script]);
  assert.ok(!err.message.includes('s3cret'));
  assert.ok(!JSON.stringify(err).includes('s3cret'), 'argv stays out of the serialized error');
});

test('a missing program fails with a clear reason, from run and runChecked', async () => {
  const argv = ['no-such-program-slipway', '--version'];
  const why = 'could not start: program "no-such-program-slipway" was not found (is it installed and on PATH?)';
  assert.equal((await rejection(run(argv))).message, `${JSON.stringify(argv)} ${why}`);
  assert.equal((await rejection(runChecked(argv, { name: 'the probe' }))).message, `the probe ${why}`);
  assert.throws(() => spawnProcess([]), CommandFailedError);
});

test('stdin input reaches the program; run resolves whatever the exit code', async () => {
  const script = "let s=''; process.stdin.on('data', (c) => (s += c)).on('end', () => { console.log(s.toUpperCase()); process.exit(7); })";
  const result = await run([node, '-e', script], { input: 'hello\nworld' });
  assert.equal(result.code, 7);
  assert.equal(result.stdout, 'HELLO\nWORLD\n');
});

test('a timeout stops the program and says so', async () => {
  const started = Date.now();
  const err = await rejection(runChecked(['/bin/sleep', '30'], { timeoutMs: 200, name: 'the nap' }));
  assert.equal(err.message, 'the nap did not finish within 200ms and was stopped');
  assert.deepEqual(err.details, { timedOut: true });
  assert.ok(Date.now() - started < 4000, 'SIGTERM ended sleep well before the grace');
});

test('an abort kills the whole process group: the grandchild is gone too', async () => {
  const script = [
    "const { spawn } = require('node:child_process');",
    "const g = spawn('/bin/sleep', ['30'], { stdio: 'ignore' });",
    'console.log(g.pid);',
    'setInterval(() => {}, 1000);',
  ].join('\n');
  const controller = new AbortController();
  let grandchild = 0;
  const child = spawnProcess([node, '-e', script], {
    signal: controller.signal,
    name: 'the parent',
    onLine: (line) => {
      grandchild = Number(line);
      controller.abort();
    },
  });
  const end = await child.exit;
  assert.equal(end.aborted, true);
  assert.equal(end.signal, 'SIGTERM');
  assert.ok(grandchild > 0, 'the grandchild reported its pid');
  await waitUntil(`grandchild ${grandchild} gone`, () => gone(grandchild), 5000);
  assert.ok(gone(child.pid!));
  const err = await rejection(child.succeeded());
  assert.equal(err.message, 'the parent was cancelled');
  assert.deepEqual(err.details, { cancelled: true });
});

test('a group that ignores SIGTERM gets SIGKILL after the grace', async () => {
  let forced = 0;
  const child = spawnProcess([node, '-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"], {
    killGraceMs: 300,
    onForceKill: () => forced++,
    onLine: () => child.kill(),
  });
  const end = await child.exit;
  assert.equal(end.signal, 'SIGKILL');
  assert.equal(forced, 1);
});

test('raw stdout carries bytes unchanged (for dump pipelines), stderr still as lines', async () => {
  const bytes = Buffer.from(Array.from({ length: 256 * 64 }, (_, i) => i % 256));
  const stderr: string[] = [];
  const child = spawnProcess([node, '-e', "console.error('copying'); process.stdin.pipe(process.stdout)"], {
    stdin: 'pipe',
    output: 'raw-stdout',
    onLine: (line, stream) => stderr.push(`${stream}: ${line}`),
  });
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  child.stdin!.end(bytes);
  await child.succeeded();
  assert.ok(Buffer.concat(chunks).equals(bytes));
  assert.deepEqual(stderr, ['stderr: copying']);
});

test('output to a file descriptor (a log file)', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-exec-'));
  dirs.push(dir);
  const file = path.join(dir, 'out.log');
  const fd = openSync(file, 'a', 0o600);
  const child = spawnProcess([node, '-e', "console.log('to the log'); console.error('and this')"], { output: { fd } });
  closeSync(fd);
  assert.equal(child.stdout, null);
  await child.succeeded();
  assert.equal(await readFile(file, 'utf8'), 'to the log\nand this\n');
});
