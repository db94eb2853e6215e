import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchedSink } from '../../src/edge/proxy/batched-sink.js';

describe('BatchedSink (access log batching)', () => {
  it('passes whole lines on once a batch is full, and the rest on flush', () => {
    const written: string[] = [];
    const sink = new BatchedSink({ write: (s: string) => written.push(s) }, 20);
    sink.write('{"a":1}\n');
    sink.write('{"b":2}\n');
    assert.deepEqual(written, []);
    sink.write('{"c":3}\n');
    assert.deepEqual(written, ['{"a":1}\n{"b":2}\n{"c":3}\n']);
    sink.write('{"d":4}\n');
    sink.flush();
    sink.flush();
    assert.deepEqual(written, ['{"a":1}\n{"b":2}\n{"c":3}\n', '{"d":4}\n']);
  });
});
