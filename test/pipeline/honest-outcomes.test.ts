// A deployment whose undo fails ends `compensation_failed`, and every place that reports it (the
// deployment record the API serves, the status view, the CLI's words) says what failed and what
// serves, never "the previous release is serving again".
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Deployment } from '../../src/core/model.js';
import { SYSTEM } from '../../src/services/actor.js';
import { StatusService } from '../../src/services/status-service.js';
import { FakeControlPlane, sendJson } from '../cli/fake-control-plane.js';
import { runCli, serverEnv } from '../cli/run-cli.js';
import { createHarness, type Harness } from '../support/engine-harness.js';

describe('honest outcomes', () => {
  let h: Harness;
  let status: StatusService;
  let live: string;
  before(async () => {
    h = await createHarness();
    status = new StatusService(h.store, h.apps, () => h.driver, (t) => t);
    const first = await h.waitFor((await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' })).id);
    assert.equal(first.status, 'succeeded', first.error ?? '');
    live = first.releaseId!;
  });
  after(async () => {
    await h.close();
  });

  test('a traffic switch that cannot be moved back ends compensation_failed and says where traffic may go', async () => {
    h.driver.failOn('activate', 'edge admin socket refused the connection');
    const d = await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' });
    const done = await h.waitFor(d.id);
    h.driver.clearFailures();
    assert.equal(done.status, 'compensation_failed');
    assert.match(done.error ?? '', /^switch-traffic: edge admin socket refused the connection; undoing it failed \(switch-traffic: edge admin socket refused/);
    assert.match(done.error ?? '', new RegExp(`traffic may still go to ${done.releaseId} instead of ${live}`));
    const steps = Object.fromEntries((await h.store.listSteps(d.id)).map((s) => [s.name, s.status]));
    assert.equal(steps['switch-traffic'], 'compensation_failed');
    assert.equal(steps['start'], 'compensated');
    const log = (await h.store.readLog(d.id)).map((l) => l.text).join('\n');
    assert.match(log, /the deployment could not be undone: traffic may still go to/);
    assert.match(log, /deployment compensation_failed: /);
    assert.doesNotMatch(log, /serving again/);

    // What the API serves: the deployment view, and the status of the environment.
    const view = await h.deployments.get(d.id);
    assert.equal(view.status, 'compensation_failed');
    assert.equal(view.error, done.error);
    const env = (await status.status('shop')).find((e) => e.environment === 'staging');
    assert.equal(env?.lastDeployment?.status, 'compensation_failed');
    assert.equal(env?.live?.release, live, 'the store still names the release that was live');

    // What the CLI says, fed the exact records the engine produced.
    const cli = await FakeControlPlane.start();
    try {
      cli.reply('POST', '/api/apps/shop/environments/staging/deployments', 202, { deployment: { ...done, status: 'queued', error: null } });
      cli.on('GET', `/api/deployments/${d.id}/log`, (_req, res: ServerResponse) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end(`${JSON.stringify({ type: 'status', deployment: done })}\n`);
      });
      cli.on('GET', '/api/status', (_req, res) => sendJson(res, 200, { environments: [env] }));
      const deploy = await runCli(['deploy', 'shop', 'staging'], { env: serverEnv(cli) });
      assert.equal(deploy.code, 1);
      assert.match(deploy.stderr, /failed in .* and could not be undone: switch-traffic: edge admin socket refused/);
      assert.match(deploy.stderr, /traffic may still go to/);
      assert.doesNotMatch(deploy.stderr, /serving again|still serving/);
      const st = await runCli(['status'], { env: serverEnv(cli) });
      assert.equal(st.code, 0, st.stderr);
      assert.match(st.stdout, new RegExp(`shop/staging: deploy #${done.number} COULD NOT BE UNDONE: switch-traffic: `));
    } finally {
      await cli.close();
    }
  });

  test('a start whose instances cannot be stopped again says the previous release still serves, and what may linger', async () => {
    h.driver.failOn('start', 'web instance 0 never became healthy');
    h.driver.failOn('abandon', 'supervisor did not answer');
    const done: Deployment = await h.waitFor((await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' })).id);
    h.driver.clearFailures();
    assert.equal(done.status, 'compensation_failed');
    assert.match(done.error ?? '', /^start: web instance 0 never became healthy; undoing it failed \(start: supervisor did not answer\)/);
    assert.match(done.error ?? '', new RegExp(`${live} still serves, but parts of ${done.releaseId} may still be running`));
  });

  test('when every undo succeeds the outcome is the plain one', async () => {
    h.driver.failOn('start', 'web instance 0 never became healthy');
    const done = await h.waitFor((await h.deployments.deploy(SYSTEM, { app: 'shop', env: 'staging' })).id);
    h.driver.clearFailures();
    assert.equal(done.status, 'failed');
    assert.equal(done.error, 'start: web instance 0 never became healthy');
  });
});
