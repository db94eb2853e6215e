import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessLog, type AccessEntry } from '../../src/edge/proxy/access-log.js';

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
