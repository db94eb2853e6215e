// The edge as the control plane starts it (edge-process.ts, a detached `slipway edge`): the HTTPS
// setting is passed through, edge.json records the HTTPS port, and the edge serves HTTPS there.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Sensitive } from '../../src/core/sensitive.js';
import { EdgeClient } from '../../src/edge/admin/edge-client.js';
import { ensureEdge } from '../../src/edge-process.js';
import { pidAlive } from '../../src/platform/process-alive.js';
import { TestCa } from '../support/test-ca.js';
import { waitUntil } from '../support/wait-until.js';
import { fingerprintOf, handshake } from './tls-client.js';

/** SIGTERM to the edge this test started (by its pid), then waits until it is gone. */
async function stopEdge(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  await waitUntil('the edge to stop', async () => !(await pidAlive(pid)), 10_000, 20);
}

describe('edge process: HTTPS port', () => {
  it('passes SLIPWAY_EDGE_HTTPS_PORT to the edge, which records its port in edge.json and serves HTTPS there', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'edge-proc-'));
    const ca = await TestCa.create();
    let pid: number | undefined;
    const client = EdgeClient.forDataDir(dataDir);
    try {
      const info = await ensureEdge({ dataDir, host: '127.0.0.1', port: 0, httpsPort: 0, logLevel: 'warn' });
      pid = info.pid;
      assert.equal(typeof info.httpsPort, 'number');
      assert.notEqual(info.httpsPort, 0);
      const json = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { httpsPort: number };
      assert.equal(json.httpsPort, info.httpsPort);
      const pair = await ca.issue(['p.test']);
      await client.putCertificate({ id: 'p', hosts: ['p.test'], certificatePem: pair.certificatePem, keyPem: new Sensitive(pair.keyPem) });
      assert.equal((await handshake(info.httpsPort as number, 'p.test', { ca: ca.certificatePem })).fingerprint, fingerprintOf(pair.certificatePem));
      const log = await readFile(path.join(dataDir, 'edge', 'edge.log'), 'utf8');
      assert.doesNotMatch(log, /PRIVATE KEY/, 'the key is never in the edge log');
    } finally {
      await client.close();
      try {
        await stopEdge(pid);
      } finally {
        await ca.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  });

  it('runs no HTTPS listener with "off" and records null', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'edge-proc-'));
    let pid: number | undefined;
    try {
      const info = await ensureEdge({ dataDir, host: '127.0.0.1', port: 0, httpsPort: 'off', logLevel: 'warn' });
      pid = info.pid;
      assert.equal(info.httpsPort, null);
    } finally {
      try {
        await stopEdge(pid);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  });
});
