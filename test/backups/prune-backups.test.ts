import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { BackupRecord, BackupWithVerdict } from '../../src/backups/backup-record.js';
import { LocalDirectoryTarget } from '../../src/backups/local-directory-target.js';
import { pruneBackups } from '../../src/backups/prune-backups.js';

test('pruning deletes what the policy drops and keeps the only drilled backup', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-prune-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const target = new LocalDirectoryTarget(dir);
  const backups: BackupWithVerdict[] = [];
  for (let i = 0; i < 5; i++) {
    const key = `main/2026112${i}T030000Z-b${i}.pgdump`;
    const d = await target.put(key, Readable.from([Buffer.from(`dump ${i}`)]));
    const record: BackupRecord = {
      id: `b${i}`, database: 'main', kind: 'postgres', target: target.location, key, ...d, encrypted: false,
      rowCounts: {}, tool: 'pg_dump', startedAt: `2026-11-2${i}T03:00:00.000Z`, finishedAt: `2026-11-2${i}T03:00:01.000Z`, uploadVerified: true,
    };
    // Only the oldest backup ever passed a drill.
    const lastDrill = i === 0 ? { ok: true, reasons: [], backupId: `b${i}`, scratchDatabase: 'x', rowCounts: {}, startedAt: '', finishedAt: '' } : null;
    backups.push({ record, lastDrill });
  }
  const result = await pruneBackups(target, backups, { last: 2 });
  assert.deepEqual(result.deleted.sort(), ['b1', 'b2']);
  assert.deepEqual(result.failed, []);
  assert.deepEqual((await target.list('main/')).map((o) => o.key), [
    'main/20261120T030000Z-b0.pgdump',
    'main/20261123T030000Z-b3.pgdump',
    'main/20261124T030000Z-b4.pgdump',
  ]);
});
