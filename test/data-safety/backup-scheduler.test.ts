// The backup scheduler against a real (in-memory) store, a settable clock and a recording
// ScheduledWork: due jobs run, a run missed while down runs once at start, last runs persist.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAppSpec } from '../../src/core/config-file.js';
import type { Store } from '../../src/core/ports/store.js';
import { BackupScheduler, type ScheduledWork } from '../../src/services/backup-scheduler.js';
import { openSqliteStore } from '../../src/store/index.js';
import { createLogger } from '../../src/platform/logger.js';
import { waitUntil } from '../support/wait-until.js';

const SPEC = `
processes: { web: { command: ["node", "server.js"] } }
release: [["node", "migrate.js"]]
environments:
  staging:
    databases:
      - { name: main, kind: postgres, url_secret: DATABASE_URL, schedule: "0 3 * * *", drill_schedule: "30 4 * * 0" }
  production: {}
`;

async function setup(): Promise<{ store: Store; calls: string[]; work: ScheduledWork; clock: { t: Date; now(): Date } }> {
  const store = await openSqliteStore(':memory:');
  const app = await store.createApp({ name: 'shop', repo: '/srv/shop.git', driver: 'process' }, [
    { name: 'staging', branch: 'main' },
    { name: 'production', branch: null },
  ]);
  for (const envName of ['staging', 'production']) {
    const env = (await store.getEnvironment(app.id, envName))!;
    const { deployment } = await store.enqueueDeployment({ appId: app.id, environmentId: env.id, kind: 'deploy', trigger: 'manual', ref: 'main', requestedBy: 'ada' });
    const r = await store.createRelease({
      id: `r1-${envName}`, appId: app.id, environmentId: env.id, deploymentId: deployment.id, commitSha: null, commitSubject: null,
      artifact: 'sha256:1', status: 'pending', driverState: {}, spec: { text: SPEC }, notes: [], trigger: 'manual', deployedBy: 'ada',
    });
    await store.markLive(env.id, r.id, new Date().toISOString());
  }
  const calls: string[] = [];
  const work: ScheduledWork = {
    specFor: async () => parseAppSpec(SPEC),
    backup: async (a, e, _s, db) => void calls.push(`backup ${a.name}/${e.name}/${db}`),
    drill: async (a, e, _s, db) => void calls.push(`drill ${a.name}/${e.name}/${db}`),
  };
  return { store, calls, work, clock: { t: new Date('2026-11-23T01:00:00Z'), now() { return this.t; } } };
}

const logger = createLogger({ level: 'silent' });

test('a job runs when its cron time passes, once, and its last run is persisted', async () => {
  const { store, calls, work, clock } = await setup();
  try {
    const s = new BackupScheduler({ store, work, logger, clock });
    assert.deepEqual((await s.tick()).ran, [], 'nothing due before 03:00');
    clock.t = new Date('2026-11-23T03:00:30Z');
    assert.deepEqual((await s.tick()).ran, ['shop/staging/main:backup']);
    assert.deepEqual((await s.tick()).ran, [], 'not twice for the same slot');
    assert.deepEqual(calls, ['backup shop/staging/main']);
    const keys = await store.getSetting(`schedule.${(await store.listEnvironments()).find((e) => e.name === 'staging')!.id}.main.backup.last`);
    assert.equal(keys, '2026-11-23T03:00:30.000Z');
  } finally {
    await store.close();
  }
});

test('runs missed while the control plane was down run once at start (a new scheduler on the same store)', async () => {
  const { store, calls, work, clock } = await setup();
  try {
    await new BackupScheduler({ store, work, logger, clock }).tick(); // registers the schedules at 01:00
    clock.t = new Date('2026-11-30T12:00:00Z'); // a week later: 7 backup slots and one drill slot missed
    const restarted = new BackupScheduler({ store, work, logger, clock });
    assert.deepEqual((await restarted.tick()).ran.sort(), ['shop/staging/main:backup', 'shop/staging/main:drill']);
    assert.deepEqual((await restarted.tick()).ran, []);
    assert.deepEqual(calls.sort(), ['backup shop/staging/main', 'drill shop/staging/main']);
  } finally {
    await store.close();
  }
});

test('a failing job is logged and does not stop the others; start/stop leave no timer behind', async () => {
  const { store, calls, work, clock } = await setup();
  try {
    await new BackupScheduler({ store, work, logger, clock }).tick();
    clock.t = new Date('2026-11-30T12:00:00Z');
    let backupTried = false;
    const failing: ScheduledWork = { ...work, backup: async () => { backupTried = true; throw new Error('pg_dump exited with code 1'); } };
    const s = new BackupScheduler({ store, work: failing, logger, clock, tickMs: 50 });
    s.start();
    await waitUntil('the failed backup and the drill after it', () => backupTried && calls.length > 0);
    await s.stop();
    assert.deepEqual(calls, ['drill shop/staging/main'], 'the drill still ran after the backup failed');
  } finally {
    await store.close();
  }
});
