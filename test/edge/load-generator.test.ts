import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { startLoad } from '../support/load-generator.js';

describe('load generator', () => {
  it('counts bodies and failures and stops by itself at maxRequests', async () => {
    let n = 0;
    const server = http.createServer((_req, res) => {
      n++;
      if (n % 10 === 0) res.writeHead(500).end('boom');
      else res.end(n % 2 ? 'odd' : 'even');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const load = startLoad({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, concurrency: 4, maxRequests: 200 });
      const report = await load.done;
      assert.equal(report.reason, 'maxRequests');
      assert.equal(report.total, 200);
      assert.equal(report.failures, 20);
      assert.equal(report.failureSamples[0]?.status, 500);
      assert.equal((report.bodies.odd ?? 0) + (report.bodies.even ?? 0), 180);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('stops at its max duration and reports connection errors', async () => {
    const load = startLoad({ url: 'http://127.0.0.1:1/', concurrency: 2, maxDurationMs: 300 });
    const report = await load.done;
    assert.equal(report.reason, 'maxDuration');
    assert.ok(report.failures > 0);
    assert.match(report.failureSamples[0]?.error ?? '', /ECONNREFUSED|connect/);
  });
});
