// Contract: backup records (add, read, list newest first with filters, drill verdicts, release link, delete).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backup } from '../../../src/core/model.js';
import type { AppsAndEnvironments } from '../../../src/core/ports/store/apps-and-environments.js';
import type { BackupRecords } from '../../../src/core/ports/store/backups.js';
import type { Deployments } from '../../../src/core/ports/store/deployments.js';
import type { Releases } from '../../../src/core/ports/store/releases.js';
import { makeApp, makeRelease, withStore, type OpenStore } from './fixture.js';

const at = (n: number) => new Date(Date.UTC(2026, 10, 23, 1, 0, n)).toISOString();
let counter = 0;

function backup(appId: string, environmentId: string, extra: Partial<Backup> = {}): Omit<Backup, 'createdAt' | 'verifiedAt'> & { createdAt?: string } {
  return {
    id: `bk_contract_${++counter}`,
    appId,
    environmentId,
    database: 'main',
    kind: 'postgres',
    target: 'local',
    location: 'local:/var/lib/slipway/backups',
    key: `main/20261123T010000Z-${counter}.pgdump`,
    sha256: 'e'.repeat(64),
    size: 1234,
    rowCounts: { 'public.users': 3, 'public.orders': 0 },
    encrypted: false,
    tool: 'pg_dump (PostgreSQL) 15.18',
    reason: 'manual',
    status: 'created',
    verdict: null,
    releaseId: null,
    ...extra,
  };
}

export function backupRecordsContract(open: OpenStore<BackupRecords & Releases & Deployments & AppsAndEnvironments>): void {
  describe('backups', () => {
    test('a backup is recorded as given and read back by id', withStore(open, async (store) => {
      const { app, staging } = await makeApp(store);
      const b = await store.addBackup(backup(app.id, staging.id, { encrypted: true, createdAt: at(1) }));
      assert.equal(b.createdAt, at(1));
      assert.equal(b.verifiedAt, null);
      assert.deepEqual(b.rowCounts, { 'public.users': 3, 'public.orders': 0 });
      assert.equal(b.encrypted, true);
      assert.deepEqual(await store.getBackup(b.id), b);
      assert.equal(await store.getBackup('bk_missing'), null);
    }));

    test('listing is newest first and filters by environment, database, reason and release', withStore(open, async (store) => {
      const { app, staging, production } = await makeApp(store);
      const release = await makeRelease(store, staging);
      const b1 = await store.addBackup(backup(app.id, staging.id, { createdAt: at(1) }));
      const b2 = await store.addBackup(backup(app.id, staging.id, { createdAt: at(2), database: 'analytics' }));
      const b3 = await store.addBackup(backup(app.id, staging.id, { createdAt: at(3), reason: 'pre-migration', releaseId: release.id }));
      await store.addBackup(backup(app.id, production.id, { createdAt: at(4) }));
      assert.deepEqual((await store.listBackups({ environmentId: staging.id })).map((b) => b.id), [b3.id, b2.id, b1.id]);
      assert.deepEqual((await store.listBackups({ environmentId: staging.id, database: 'main' })).map((b) => b.id), [b3.id, b1.id]);
      assert.deepEqual((await store.listBackups({ releaseId: release.id, reason: 'pre-migration' })).map((b) => b.id), [b3.id]);
      assert.equal((await store.listBackups({ appId: app.id })).length, 4);
      assert.equal((await store.listBackups({ appId: app.id, limit: 2 })).length, 2);
    }));

    test('a drill verdict and the release link are updated; delete removes the record', withStore(open, async (store) => {
      const { app, staging } = await makeApp(store);
      const b = await store.addBackup(backup(app.id, staging.id));
      await store.updateBackup(b.id, { status: 'verified', verdict: { ok: true, reasons: [] }, verifiedAt: at(9), releaseId: 'r7-abc' });
      const got = await store.getBackup(b.id);
      assert.equal(got?.status, 'verified');
      assert.deepEqual(got?.verdict, { ok: true, reasons: [] });
      assert.equal(got?.verifiedAt, at(9));
      assert.equal(got?.releaseId, 'r7-abc');
      await store.updateBackup(b.id, { status: 'failed', verdict: { ok: false, reasons: ['checksum mismatch'] } });
      assert.equal((await store.getBackup(b.id))?.status, 'failed');
      assert.equal(await store.deleteBackup(b.id), true);
      assert.equal(await store.deleteBackup(b.id), false);
      assert.equal(await store.getBackup(b.id), null);
    }));
  });
}
