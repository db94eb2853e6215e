import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { demuxLines, encodeFrame, FrameDemuxer, LogDemuxError, type LogLineEvent } from '../../src/drivers/swarm/engine/log-demux.js';

const stream = Buffer.concat([
  encodeFrame('stdout', 'hello\nwor'),
  encodeFrame('stderr', 'warn: disk\n'),
  encodeFrame('stdout', 'ld\r\n'),
  encodeFrame('stdin', 'typed\n'),
  encodeFrame('system', 'error from daemon: task failed\n'),
  encodeFrame('stdout', ''),
  encodeFrame('stdout', 'ünïcödé ✓\n'),
  encodeFrame('stderr', 'no newline at end'),
]);

const expected: LogLineEvent[] = [
  { stream: 'stdout', line: 'hello' },
  { stream: 'stderr', line: 'warn: disk' },
  { stream: 'stdout', line: 'world' },
  { stream: 'stdin', line: 'typed' },
  { stream: 'system', line: 'error from daemon: task failed' },
  { stream: 'stdout', line: 'ünïcödé ✓' },
  { stream: 'stderr', line: 'no newline at end' },
];

async function collect(chunks: Buffer[]): Promise<LogLineEvent[]> {
  const out: LogLineEvent[] = [];
  for await (const e of demuxLines(Readable.from(chunks))) out.push(e);
  return out;
}

describe('Engine log stream demultiplexer', () => {
  it('decodes all four stream types from one buffer', async () => {
    assert.deepEqual(await collect([stream]), expected);
  });

  it('gives the same lines whatever the chunk boundaries (every split point, byte by byte)', async () => {
    const bytes = await collect([...stream].map((b) => Buffer.from([b])));
    assert.deepEqual(bytes, expected);
    for (let i = 1; i < stream.length; i++) {
      for (const j of [i + 1, i + 3, i + 8, i + 9]) {
        if (j >= stream.length) continue;
        const parts = [stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)];
        assert.deepEqual(await collect(parts), expected, `split at ${i},${j}`);
      }
    }
  });

  it('splits a multi-byte UTF-8 character across frames without mangling it', async () => {
    const check = Buffer.from('✓\n');
    const frames = Buffer.concat([encodeFrame('stdout', check.subarray(0, 1)), encodeFrame('stdout', check.subarray(1))]);
    assert.deepEqual(await collect([frames]), [{ stream: 'stdout', line: '✓' }]);
  });

  it('handles a large frame (1 MiB) delivered in 64 KiB chunks', async () => {
    const big = 'x'.repeat(1024 * 1024);
    const buf = encodeFrame('stdout', `${big}\n`);
    const chunks: Buffer[] = [];
    for (let i = 0; i < buf.length; i += 65536) chunks.push(buf.subarray(i, i + 65536));
    const lines = await collect(chunks);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.line.length, big.length);
  });

  it('rejects a stream that is not multiplexed (a TTY stream) with a hint', () => {
    const d = new FrameDemuxer();
    assert.throws(() => d.push(Buffer.from('plain text from a tty\n')), (e: unknown) => e instanceof LogDemuxError && /TTY/.test(e.message));
  });

  it('reports a stream that ends inside a frame', async () => {
    const cut = stream.subarray(0, stream.length - 3);
    await assert.rejects(collect([cut]), /ended inside a frame/);
  });
});
