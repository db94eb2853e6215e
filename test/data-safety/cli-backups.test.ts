// `slipway backups ...` and `slipway db reinit` as a process against a fake control plane over
// real HTTP: the requests they send (typed confirmations in the body) and what they print.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeControlPlane } from '../cli/fake-control-plane.js';
import { runCli, serverEnv } from '../cli/run-cli.js';

const at = '2026-11-23T01:00:00.000Z';
const backup = (id: string, extra: Record<string, unknown> = {}) => ({
  id, appId: 'app_1', environmentId: 'env_1', database: 'main', kind: 'postgres', target: 'local', location: 'local:/data/backups',
  key: `main/20261123T010000Z-${id}.pgdump`, sha256: 'a'.repeat(64), size: 2 * 1024 * 1024, rowCounts: { 'public.users': 3 }, encrypted: false,
  tool: 'pg_dump (PostgreSQL) 15', reason: 'pre-migration', status: 'verified', verdict: { ok: true, reasons: [] }, releaseId: 'r2-abc', createdAt: at, verifiedAt: at, ...extra,
});

describe('CLI: backups and db reinit', () => {
  let server: FakeControlPlane;
  let env: Record<string, string>;
  before(async () => {
    server = await FakeControlPlane.start();
    env = serverEnv(server);
    server
      .reply('GET', '/api/apps/shop/environments/staging/backups', 200, {
        backups: [backup('bk_2', { status: 'failed', reason: 'manual', verdict: { ok: false, reasons: ['checksum mismatch: the stored bytes hash to x'] } }), backup('bk_1')],
      })
      .reply('POST', '/api/backups/bk_2/verify', 200, { backup: backup('bk_2', { status: 'failed', verdict: { ok: false, reasons: ['size mismatch: truncated'] } }) })
      .reply('POST', '/api/backups/bk_1/restore', 200, { restored: backup('bk_1'), safety: backup('bk_3', { reason: 'safety' }), rowCounts: { 'public.users': 3 } })
      .reply('POST', '/api/apps/shop/environments/staging/databases/main/reinitialize', 200, { safety: backup('bk_4', { reason: 'safety' }) });
  });
  after(() => server.close());

  test('backups list shows a failed drill as FAILED with its reasons and exits 1', async () => {
    const r = await runCli(['backups', 'list', 'shop', 'staging'], { env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /bk_2\s+main\s+FAILED\s+manual/);
    assert.match(r.stdout, /restore drill of bk_2 FAILED: checksum mismatch/);
    const json = await runCli(['backups', 'list', 'shop', 'staging', '--json'], { env });
    assert.equal((JSON.parse(json.stdout) as { backups: unknown[] }).backups.length, 2);
  });

  test('backups verify prints the reasons of a failed drill and exits 1', async () => {
    const r = await runCli(['backups', 'verify', 'bk_2'], { env });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAILED:\n  - size mismatch: truncated/);
  });

  test('backups restore sends the target and the typed confirmation, and names the safety backup', async () => {
    const r = await runCli(['backups', 'restore', 'bk_1', '--to', 'shop', 'staging', '--confirm', 'shop/staging'], { env });
    assert.equal(r.code, 0, r.stderr);
    const [req] = server.requestsTo('POST', '/api/backups/bk_1/restore');
    assert.deepEqual(JSON.parse(req!.body.toString()), { to: { app: 'shop', env: 'staging' }, confirm: 'shop/staging' });
    assert.match(r.stdout, /safety backup taken first: bk_3/);
    assert.match(r.stdout, /restored bk_1 into shop\/staging: public.users=3/);
  });

  test('db reinit sends the typed confirmation; without --confirm it is a usage error', async () => {
    const missing = await runCli(['db', 'reinit', 'shop', 'staging', 'main'], { env });
    assert.notEqual(missing.code, 0);
    assert.equal(server.requestsTo('POST', '/api/apps/shop/environments/staging/databases/main/reinitialize').length, 0);
    const r = await runCli(['db', 'reinit', 'shop', 'staging', 'main', '--confirm', 'shop/staging/main'], { env });
    assert.equal(r.code, 0, r.stderr);
    const [req] = server.requestsTo('POST', '/api/apps/shop/environments/staging/databases/main/reinitialize');
    assert.deepEqual(JSON.parse(req!.body.toString()), { confirm: 'shop/staging/main' });
    assert.match(r.stdout, /safety backup taken first: bk_4/);
  });
});
