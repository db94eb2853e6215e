// KeptEdge carries the EdgeTls calls like the route calls: one that finds the edge down has it
// started (here: a real edge on the same data dir) and goes through once more.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Sensitive } from '../../src/core/sensitive.js';
import { EdgeClient } from '../../src/edge/admin/edge-client.js';
import { KeptEdge } from '../../src/kept-edge.js';
import { TestCa } from '../support/test-ca.js';
import { startTestEdge, type TestEdge } from './edge-harness.js';

describe('KeptEdge: EdgeTls', () => {
  it('starts a down edge and retries a certificate put, then lists and removes through it', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kept-tls-'));
    const ca = await TestCa.create();
    const client = EdgeClient.forDataDir(dataDir);
    let edge: TestEdge | undefined;
    let starts = 0;
    const kept = new KeptEdge(client, {
      ensureUp: async () => {
        starts++;
        edge = await startTestEdge({ dataDir, httpsPort: 0 });
      },
    });
    try {
      const pair = await ca.issue(['k.test']);
      const state = await kept.putCertificate({ id: 'k', hosts: ['k.test'], certificatePem: pair.certificatePem, keyPem: new Sensitive(pair.keyPem) });
      assert.equal(starts, 1);
      assert.equal(state.id, 'k');
      assert.deepEqual((await kept.listCertificates()).map((c) => c.id), ['k']);
      await kept.putChallenge({ type: 'http-01', token: 'abc', keyAuthorization: 'abc.def' });
      assert.equal((await edge!.get('/.well-known/acme-challenge/abc')).body, 'abc.def');
      await kept.removeChallenge('http-01', 'abc');
      await kept.removeCertificate('k');
      assert.deepEqual(await kept.listCertificates(), []);
      assert.equal(starts, 1);
    } finally {
      await client.close();
      await edge?.close({ keepDir: true });
      await ca.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
