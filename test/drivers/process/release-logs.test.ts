// The process driver's log reader on real files: the last N lines of each instance, one
// process type, following appended output, a rotated (replaced) file read from its start.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RuntimeLogLine } from '../../../src/core/ports/runtime-driver.js';
import { formatInstanceLogLine } from '../../../src/drivers/process/instance-log-line.js';
import { releaseLogs } from '../../../src/drivers/process/release-logs.js';

let runDir: string;
const logs = () => path.join(runDir, 'logs');

before(async () => {
  runDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-release-logs-'));
  await mkdir(logs());
  const many = Array.from({ length: 5000 }, (_, i) => `web0 line ${i}`).join('\n') + '\n';
  await writeFile(path.join(logs(), 'web.0.log'), many);
  await writeFile(path.join(logs(), 'web.1.log'), 'web1 a\nweb1 b\nweb1 partial');
  await writeFile(path.join(logs(), 'worker.0.log'), 'worker x\n');
  await writeFile(path.join(logs(), 'web.0.log.1'), 'rotated away\n');
});

after(async () => {
  await rm(runDir, { recursive: true, force: true });
});

async function collect(iter: AsyncIterable<RuntimeLogLine>, max = Infinity): Promise<RuntimeLogLine[]> {
  const out: RuntimeLogLine[] = [];
  for await (const l of iter) {
    out.push(l);
    if (out.length >= max) break;
  }
  return out;
}

const signal = () => new AbortController().signal;

test('--tail N: the last N lines of every instance, an unterminated last line included', async () => {
  const lines = await collect(releaseLogs(runDir, { follow: false, tail: 2, signal: signal() }));
  assert.deepEqual(
    lines.map((l) => `${l.service}.${l.instance} ${l.text}`),
    ['web.0 web0 line 4998', 'web.0 web0 line 4999', 'web.1 web1 b', 'web.1 web1 partial', 'worker.0 worker x'],
  );
});

test('without --tail every line; one service only; rotated files are not read', async () => {
  const lines = await collect(releaseLogs(runDir, { follow: false, service: 'web', signal: signal() }));
  assert.equal(lines.filter((l) => l.instance === '0').length, 5000);
  assert.ok(lines.every((l) => l.service === 'web' && l.text !== 'rotated away'));
  assert.equal(lines.filter((l) => l.instance === '1').length, 3);
});

test('an unknown service and a --since that is not a time are refused with the fix', async () => {
  await assert.rejects(collect(releaseLogs(runDir, { follow: false, service: 'nope', signal: signal() })), /no process "nope"/);
  assert.throws(() => releaseLogs(runDir, { follow: false, since: 'yesterday', signal: signal() }), /--since yesterday: expected an RFC 3339 time .* or Unix seconds/);
});

test('stamped lines carry their time and stream; --since keeps the lines written since then', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-release-logs-stamped-'));
  try {
    await mkdir(path.join(dir, 'logs'));
    const t0 = new Date('2026-12-02T10:00:00.000Z');
    const t1 = new Date('2026-12-02T11:00:00.000Z');
    await writeFile(
      path.join(dir, 'logs', 'web.0.log'),
      'unstamped, from an older supervisor\n' +
        formatInstanceLogLine(t0, 'stdout', 'early') +
        formatInstanceLogLine(t1, 'stderr', 'late: E with spaces  kept') +
        formatInstanceLogLine(t1, 'stdout', ''),
    );
    const all = await collect(releaseLogs(dir, { follow: false, signal: signal() }));
    assert.deepEqual(
      all.map((l) => [l.time, l.stream, l.text]),
      [
        [null, 'output', 'unstamped, from an older supervisor'],
        ['2026-12-02T10:00:00.000Z', 'stdout', 'early'],
        ['2026-12-02T11:00:00.000Z', 'stderr', 'late: E with spaces  kept'],
        ['2026-12-02T11:00:00.000Z', 'stdout', ''],
      ],
    );
    const since = await collect(releaseLogs(dir, { follow: false, since: '2026-12-02T10:30:00Z', signal: signal() }));
    assert.deepEqual(since.map((l) => l.text), ['late: E with spaces  kept', '']);
    const sinceUnix = await collect(releaseLogs(dir, { follow: false, since: String(t0.getTime() / 1000), signal: signal() }));
    assert.deepEqual(sinceUnix.map((l) => l.text), ['early', 'late: E with spaces  kept', '']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--follow: appended lines arrive, a new instance file and a rotated file are read from the start', async () => {
  const controller = new AbortController();
  const seen: string[] = [];
  const reading = (async () => {
    for await (const l of releaseLogs(runDir, { follow: true, tail: 0, signal: controller.signal }, 20)) seen.push(`${l.service}.${l.instance} ${l.text}`);
  })();
  const waitFor = async (text: string) => {
    const deadline = Date.now() + 5000;
    while (!seen.includes(text)) {
      if (Date.now() > deadline) {
        controller.abort();
        throw new Error(`never saw ${text}; saw ${JSON.stringify(seen)}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  // The reader's first pass (which skips what is there) may still be running: append until a
  // line is seen, so the lines below are known to come after it.
  for (let i = 0; !seen.some((l) => l.startsWith('worker.0 ready')); i++) {
    if (i > 100) throw new Error(`the follower saw nothing: ${JSON.stringify(seen)}`);
    await appendFile(path.join(logs(), 'worker.0.log'), `ready ${i}\n`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await appendFile(path.join(logs(), 'worker.0.log'), 'worker y\n');
  await waitFor('worker.0 worker y');
  // A line written in two parts comes out whole, once.
  await appendFile(path.join(logs(), 'web.1.log'), '\nfirst half');
  await new Promise((r) => setTimeout(r, 100));
  await appendFile(path.join(logs(), 'web.1.log'), ', second half\n');
  await waitFor('web.1 first half, second half');
  assert.ok(!seen.includes('web.1 first half'));
  await writeFile(path.join(logs(), 'web.2.log'), 'web2 first\n');
  await waitFor('web.2 web2 first');
  await rename(path.join(logs(), 'worker.0.log'), path.join(logs(), 'worker.0.log.1'));
  await writeFile(path.join(logs(), 'worker.0.log'), 'after rotation\n');
  await waitFor('worker.0 after rotation');
  controller.abort();
  await reading;
  assert.ok(!seen.some((l) => l.includes('web0 line')), 'tail 0 skips what was there');
});
