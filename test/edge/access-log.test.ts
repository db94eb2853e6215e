import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessLog, millis, type AccessEntry } from '../../src/edge/proxy/access-log.js';

const entry = (over: Partial<AccessEntry>): AccessEntry => ({
  requestId: 'id-1',
  method: 'GET',
  protocol: 'HTTP/1.1',
  host: 'example.test',
  path: '/',
  status: 200,
  durationMs: 1.23456,
  upstream: 'http://127.0.0.1:3000',
  route: 'app/prod',
  ...over,
});

describe('AccessLog lines', () => {
  it('writes each entry as one JSON line, values escaped, each field its own entry\'s even as they alternate', () => {
    const lines: string[] = [];
    const log = new AccessLog({ write: (l: string) => lines.push(l) });
    const entries = [
      entry({}),
      entry({ method: 'POST', host: 'a"b\\c.test', path: '/x\ny', upstream: null, route: null, requestId: 'q"\u0001' }),
      entry({ host: 'example.test', status: 502 }),
      entry({ method: 'POST', host: 'other.test', upstream: 'http://[::1]:4000', route: 'b/"x"' }),
      entry({}),
    ];
    for (const e of entries) log.write(e);
    assert.equal(lines.length, entries.length);
    lines.forEach((line, i) => {
      assert.ok(line.endsWith('}\n') && line.indexOf('\n') === line.length - 1, `one line: ${line}`);
      const got = JSON.parse(line) as Record<string, unknown>;
      const want = entries[i] as AccessEntry;
      for (const k of ['requestId', 'method', 'protocol', 'host', 'path', 'status', 'upstream', 'route'] as const) assert.deepEqual(got[k], want[k], `${k} of line ${i}`);
      assert.equal(got.durationMs, 1.235);
      assert.match(String(got.time), /^\d{4}-\d\d-\d\dT/);
    });
  });
});

describe('AccessLog durations', () => {
  it('prints milliseconds rounded to microseconds exactly as the number would print', () => {
    const samples = [0, 0.0004, 0.0005, 0.001, 0.05, 0.1, 1, 1.2, 1.2345, 1.9999, 12.3456, 999.9995, 1000, 123456.789, 5e9 + 0.25];
    for (let i = 0; i < 2000; i++) samples.push(((i * 7919) % 10007) / 997);
    for (const ms of samples) assert.equal(millis(ms), `${Math.round(ms * 1000) / 1000}`, `for ${ms}`);
  });
});
