// POST /api/system/shutdown (`slipway down`): authenticated, refuses a body that does not say
// "everything", and answers with the pids it is stopping before the control plane is let go.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pidAlive } from '../../src/platform/process-alive.js';
import { startControlPlane, type TestControlPlane } from './control-plane.js';

describe('POST /api/system/shutdown', () => {
  let cp: TestControlPlane;
  let requested = false;
  before(async () => {
    cp = await startControlPlane({ edge: true });
    void cp.server.shutdownRequested.then(() => (requested = true));
  });
  after(() => cp.close());

  it('needs the token, and {"everything": true}; a refusal stops nothing', async () => {
    assert.equal((await cp.request('POST', '/api/system/shutdown', { body: { everything: true }, token: null })).status, 401);
    const bad = await cp.request('POST', '/api/system/shutdown', { body: {} });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /body\.everything: is required/);
    const no = await cp.request('POST', '/api/system/shutdown', { body: { everything: false } });
    assert.equal(no.status, 400);
    assert.match(no.text, /body\.everything: must be true: the control plane, the edge and every app of the process driver stop/);
    assert.equal((await cp.request('GET', '/healthz', { token: null })).status, 200);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(requested, false);
  });

  it('answers 202 with the control plane and edge pids, stops the edge, then lets the server go', async () => {
    const res = await cp.request('POST', '/api/system/shutdown', { body: { everything: true } });
    assert.equal(res.status, 202, res.text);
    const view = (res.json as { shutdown: { serverPid: number; edgePid: number | null; supervisors: unknown[] } }).shutdown;
    assert.equal(view.serverPid, process.pid);
    assert.ok(view.edgePid !== null && view.edgePid !== process.pid, 'the edge this control plane started');
    assert.deepEqual(view.supervisors, []);
    await cp.server.shutdownRequested;
    assert.equal(requested, true);
    assert.equal(await pidAlive(view.edgePid), false, 'the edge is stopped before the server is let go');
    const audit = await cp.request('GET', '/api/audit');
    assert.match(audit.text, /system\.shutdown/);
  });
});
