// Issue 6's acceptance, end to end: a real control plane process, the real edge, a real git
// repository and a real PostgreSQL server. A deploy whose release phase migrates the database
// takes a verified backup first; a failing migration leaves the deployment failed, the previous
// release serving and a backup that restores the exact previous row counts. The database
// password is a canary that must never show up in logs, API responses or process lists.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import type { ApiClient } from '../../src/cli/api-client.js';
import { LocalDirectoryTarget } from '../../src/backups/local-directory-target.js';
import { restoreBackup } from '../../src/backups/restore-backup.js';
import type { Backup } from '../../src/core/model.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { toRecord } from '../../src/services/backup-service.js';
import { startDatabases, type TestDatabases } from '../support/databases.js';
import { apiClient, logText, waitTerminal } from '../support/deploy-client.js';
import { projectRoot } from '../support/entry.js';
import { createTestRepo, type TestRepo } from '../support/git-repo.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { stopControlPlane } from '../support/cleanup.js';
import { watchCmdlines } from '../support/cmdline-watch.js';

const exec = promisify(execFile);
const HOST = 'data.test';
const CANARY = `canary${randomBytes(9).toString('hex')}`;

/** Runs SQL as `url`'s user, the password through PGPASSWORD; returns rows as arrays of strings. */
async function sql(url: string, statement: string): Promise<string[][]> {
  const u = new URL(url);
  const { stdout } = await exec('psql', ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', statement], {
    env: { PATH: process.env.PATH, PGHOST: u.hostname, PGPORT: u.port, PGUSER: decodeURIComponent(u.username), PGPASSWORD: decodeURIComponent(u.password), PGDATABASE: u.pathname.slice(1) },
    timeout: 30_000,
  });
  return stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function counts(url: string): Promise<{ users: number; orders: number }> {
  const [row] = await sql(url, 'SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM orders)');
  return { users: Number(row?.[0]), orders: Number(row?.[1]) };
}

describe('data safety: a verified backup before every migration', { timeout: 600_000 }, () => {
  let dbs: TestDatabases | undefined;
  let appUrl: string;
  let dataDir: string;
  let repo: TestRepo;
  let server: ServerProcess;
  let client: ApiClient;
  let edgeUrl: string;
  const releases: Record<number, string> = {};
  const responses: string[] = [];
  const seenInArgv: string[] = [];
  let fixture: Record<string, string>;
  let failing = false;

  async function release(n: number, opts: { failMigration?: boolean; slipwayYml?: string } = {}): Promise<void> {
    const toggle: Record<string, string | null> = opts.failMigration ? { FAIL_MIGRATION: 'yes\n' } : failing ? { FAIL_MIGRATION: null } : {};
    failing = opts.failMigration === true;
    const yml: Record<string, string> = opts.slipwayYml ? { 'slipway.yml': opts.slipwayYml } : {};
    await repo.commit({ ...fixture, VERSION: `${n}\n`, ...toggle, ...yml }, `Version ${n}`);
    await repo.push('main');
  }

  async function deploy(): Promise<{ id: string; status: string; error: string | null; releaseId: string | null }> {
    const watch = watchCmdlines(CANARY);
    try {
      const { deployment } = await client.deploy('shop', 'staging');
      return await waitTerminal(client, deployment.id, 120_000);
    } finally {
      const hits = await watch.stop();
      seenInArgv.push(...hits);
      assert.ok(watch.samples() > 3, 'the process list was sampled during the deploy');
    }
  }

  before(async () => {
    dbs = await startDatabases();
    if (!dbs) return;
    const admin = dbs.postgres.url;
    await sql(admin, `CREATE ROLE shop LOGIN CREATEDB PASSWORD '${CANARY}'`);
    await sql(admin, 'CREATE DATABASE shop OWNER shop');
    const u = new URL(admin);
    appUrl = `postgres://shop:${CANARY}@${u.hostname}:${u.port}/shop`;
    const dir = path.join(projectRoot, 'test', 'fixtures', 'apps', 'data-safety');
    fixture = {};
    for (const name of await readdir(dir)) fixture[name] = await readFile(path.join(dir, name), 'utf8');
    repo = await createTestRepo();
    await release(1);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-e2e-data-'));
    server = await startServerProcess({ dataDir });
    client = apiClient(server.url, server.token);
    const edge = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { port: number };
    edgeUrl = `http://127.0.0.1:${edge.port}`;
    await client.createApp({ name: 'shop', repo: repo.bare });
    await client.setSecret('shop', 'DATABASE_URL', new Sensitive(appUrl), 'staging');
  });

  after(async () => {
    await stopControlPlane(server, dataDir);
    await repo?.cleanup();
    await dbs?.stop();
  });

  test('v1: the release phase creates the schema; a pre-migration backup of the empty database comes first', async (t) => {
    if (!dbs) return t.skip('PostgreSQL/MariaDB server packages are not installed');
    const d = await deploy();
    assert.equal(d.status, 'succeeded', d.error ?? '');
    releases[1] = d.releaseId!;
    const log = await logText(client, d.id);
    assert.ok(log.indexOf('backup bk_') < log.indexOf('migrated to v1'), 'the backup was taken before the migration ran');
    // The empty database's backup is drilled too (no tables: the verification queries have nothing to find).
    assert.match(log, /restore drill of bk_\w+ passed: 0 table\(s\)/);
    assert.ok(log.search(/restore drill of bk_\w+ passed/) < log.indexOf('migrated to v1'), 'the drill passed before the migration ran');
    await sql(appUrl, "INSERT INTO users (name) VALUES ('ada'), ('grace'), ('edsger')");
    await sql(appUrl, 'INSERT INTO orders (user_id, total) SELECT 1 + g % 3, g * 10 FROM generate_series(1, 5) g');
  });

  let v2Backup: Backup;

  test('v2 migrates: its backup, taken before, holds the old schema; checksum and size match on the target', async (t) => {
    if (!dbs) return t.skip('no database servers');
    await release(2);
    const d = await deploy();
    assert.equal(d.status, 'succeeded', d.error ?? '');
    releases[2] = d.releaseId!;
    const { backups } = await client.backups('shop', 'staging');
    responses.push(JSON.stringify(backups));
    const pre = backups.filter((b) => b.releaseId === releases[2] && b.reason === 'pre-migration');
    assert.equal(pre.length, 1, JSON.stringify(backups));
    v2Backup = pre[0]!;
    assert.equal(v2Backup.status, 'verified', 'the pre-migration backup was restore-drilled before the migration');
    assert.equal(v2Backup.verdict?.['ok'], true);
    const log = await logText(client, d.id);
    const drilled = log.indexOf(`restore drill of ${v2Backup.id} passed: 2 table(s), row counts match`);
    assert.ok(drilled >= 0 && drilled < log.indexOf('migrated to v2'), log);
    assert.deepEqual(v2Backup.rowCounts, { 'public.users': 3, 'public.orders': 5 });

    // The bytes on the target are the ones recorded.
    const file = path.join(dataDir, 'backups', v2Backup.key);
    const bytes = await readFile(file);
    assert.equal(bytes.length, v2Backup.size);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), v2Backup.sha256);

    // Restored into a scratch database, it has the schema from before the migration: no email.
    await sql(dbs.postgres.url, 'CREATE DATABASE check_v2 OWNER shop');
    const restored = await restoreBackup({
      record: toRecord(v2Backup),
      target: new LocalDirectoryTarget(path.join(dataDir, 'backups')),
      url: new Sensitive(withDb(appUrl, 'check_v2')),
    });
    assert.deepEqual(restored.rowCounts, { 'public.users': 3, 'public.orders': 5 });
    const cols = await sql(withDb(appUrl, 'check_v2'), "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY 1");
    assert.deepEqual(cols.flat(), ['id', 'name']);
    const live = await sql(appUrl, "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY 1");
    assert.deepEqual(live.flat(), ['email', 'id', 'name'], 'the migration did run after the backup');
    await sql(dbs.postgres.url, 'DROP DATABASE check_v2');
  });

  test('a restore drill of the pre-migration backup passes and marks it verified', async (t) => {
    if (!dbs) return t.skip('no database servers');
    const { backup } = await client.verifyBackup(v2Backup.id);
    responses.push(JSON.stringify(backup));
    assert.equal(backup.status, 'verified', JSON.stringify(backup.verdict));
    assert.equal(backup.verdict?.['ok'], true);
    assert.ok(backup.verifiedAt);
    const scratch = await sql(dbs.postgres.url, "SELECT datname FROM pg_database WHERE datname LIKE 'slipway_drill_%'");
    assert.deepEqual(scratch, [], 'the scratch database was dropped');
  });

  test('a backup with a flipped byte fails its drill with a clear reason and shows as failed in list and status', async (t) => {
    if (!dbs) return t.skip('no database servers');
    const progress: string[] = [];
    const { backups: [manual] } = await client.createBackups('shop', 'staging', { database: 'main' }, (e) => progress.push('line' in e ? e.line : `${e.elapsedMs} ms`));
    assert.ok(manual);
    // The CLI's `backups create` streams these lines as the dump runs.
    assert.match(progress.join('\n'), /backing up database "main" \(postgres\)[\s\S]*backup bk_\w+ stored and read back/);
    assert.equal(manual.reason, 'manual');
    const file = path.join(dataDir, 'backups', manual.key);
    const bytes = await readFile(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    await writeFile(file, bytes);
    const { backup } = await client.verifyBackup(manual.id);
    assert.equal(backup.status, 'failed');
    assert.match(String((backup.verdict?.['reasons'] as string[])[0]), /checksum mismatch/);
    const { backups } = await client.backups('shop', 'staging');
    assert.equal(backups.find((b) => b.id === manual.id)?.status, 'failed');
    const { environments } = await client.status('shop');
    const summary = environments.find((e) => e.environment === 'staging')?.backups?.[0];
    assert.equal(summary?.failedDrill?.backup, manual.id);
    await rm(file);
  });

  test('a failing migration: deployment failed, v2 keeps serving, the pre-migration backup restores the exact row counts', async (t) => {
    if (!dbs) return t.skip('no database servers');
    const before = await counts(appUrl);
    assert.deepEqual(before, { users: 3, orders: 5 });
    await release(3, { failMigration: true });
    const d = await deploy();
    assert.equal(d.status, 'failed');
    assert.match(d.error ?? '', /release-phase/);
    const res = await request(`${edgeUrl}/`, { headers: { host: HOST } });
    assert.equal(await res.body.text(), 'v2');
    const { environments } = await client.status('shop');
    assert.equal(environments.find((e) => e.environment === 'staging')?.live?.release, releases[2]);
    assert.deepEqual(await counts(appUrl), { users: 3, orders: 0 }, 'the half-applied migration deleted the orders');

    const { backups } = await client.backups('shop', 'staging');
    const pre = backups.find((b) => b.releaseId === d.releaseId && b.reason === 'pre-migration');
    assert.ok(pre, `no pre-migration backup for ${d.releaseId}: ${JSON.stringify(backups)}`);
    await assert.rejects(client.restoreBackup(pre.id, { to: { app: 'shop', env: 'staging' }, confirm: 'shop' }), /confirm/);
    const out = await client.restoreBackup(pre.id, { to: { app: 'shop', env: 'staging' }, confirm: 'shop/staging' });
    responses.push(JSON.stringify(out));
    assert.equal(out.safety.reason, 'safety');
    assert.deepEqual(out.safety.rowCounts, { 'public.users': 3, 'public.orders': 0 });
    assert.deepEqual(out.rowCounts, { 'public.users': 3, 'public.orders': 5 });
    assert.deepEqual(await counts(appUrl), before);
  });

  test('rollback names the pre-migration backup of the release it rolls back, with the restore command', async (t) => {
    if (!dbs) return t.skip('no database servers');
    const { deployment } = await client.rollback('shop', 'staging', { to: releases[1]! });
    const d = await waitTerminal(client, deployment.id, 120_000);
    assert.equal(d.status, 'succeeded', d.error ?? '');
    const log = await logText(client, d.id);
    assert.match(log, new RegExp(`release ${releases[2]} ran migrations`));
    assert.ok(log.includes(`slipway backups restore ${v2Backup.id} --to shop staging --confirm shop/staging`), log);
  });

  test('a backup that fails stops the deploy before the migration runs', async (t) => {
    if (!dbs) return t.skip('no database servers');
    const bad = new URL(appUrl);
    bad.password = 'wrong-password';
    await client.setSecret('shop', 'DATABASE_URL', new Sensitive(bad.toString()), 'staging');
    try {
      await release(4);
      const d = await deploy();
      assert.equal(d.status, 'failed');
      assert.match(d.error ?? '', /^backup/);
      const { deployment } = await client.getDeployment(d.id);
      const ran = deployment.steps.map((s) => s.name);
      assert.ok(!ran.includes('release-phase'), `steps run: ${ran.join(', ')}`);
      assert.doesNotMatch(await logText(client, d.id), /migrated to v4/);
      const { environments } = await client.status('shop');
      assert.equal(environments.find((e) => e.environment === 'staging')?.live?.release, releases[1]);
    } finally {
      await client.setSecret('shop', 'DATABASE_URL', new Sensitive(appUrl), 'staging');
    }
  });

  test('a pre-migration backup that fails its restore drill stops the deploy before the migration runs', async (t) => {
    if (!dbs) return t.skip('no database servers');
    // The verification query now expects 4 users; the database (and so the backup) has 3.
    const strict = fixture['slipway.yml']!.replace('expect: 3 }', 'expect: 4 }');
    assert.notEqual(strict, fixture['slipway.yml']);
    await release(5, { slipwayYml: strict });
    const d = await deploy();
    assert.equal(d.status, 'failed');
    assert.match(d.error ?? '', /failed its restore drill, so the migration did not run: .*expected 4, got "3"/);
    const { deployment } = await client.getDeployment(d.id);
    assert.ok(!deployment.steps.some((s) => s.name === 'release-phase'), deployment.steps.map((s) => s.name).join(', '));
    assert.doesNotMatch(await logText(client, d.id), /migrated to v5/);
    const { backups } = await client.backups('shop', 'staging');
    const pre = backups.find((b) => b.releaseId === d.releaseId && b.reason === 'pre-migration');
    assert.equal(pre?.status, 'failed', JSON.stringify(pre));
    const { environments } = await client.status('shop');
    assert.equal(environments.find((e) => e.environment === 'staging')?.live?.release, releases[1]);
    const res = await request(`${edgeUrl}/`, { headers: { host: HOST } });
    assert.equal(await res.body.text(), 'v1');
  });

  test('db reinit needs the typed confirmation, takes a safety backup, and leaves the database empty', async (t) => {
    if (!dbs) return t.skip('no database servers');
    await assert.rejects(client.reinitializeDatabase('shop', 'staging', 'main', { confirm: 'shop/staging' }), /confirm with --confirm shop\/staging\/main/);
    assert.deepEqual(await counts(appUrl), { users: 3, orders: 5 }, 'a refused reinit changes nothing');
    const { safety } = await client.reinitializeDatabase('shop', 'staging', 'main', { confirm: 'shop/staging/main' });
    responses.push(JSON.stringify(safety));
    assert.equal(safety.reason, 'safety');
    assert.deepEqual(safety.rowCounts, { 'public.users': 3, 'public.orders': 5 });
    assert.deepEqual(await sql(appUrl, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), [['0']]);
    const { locks } = await client.listLocks();
    assert.equal(locks.length, 0, 'the environment lock taken for the reinit is released');
  });

  test('the password never appears in logs, API responses or any process argv', async (t) => {
    if (!dbs) return t.skip('no database servers');
    assert.deepEqual(seenInArgv, []);
    assert.ok(!server.logs().includes(CANARY), 'server log');
    const { deployments } = await client.listDeployments({ app: 'shop' });
    for (const d of deployments) {
      const log = await logText(client, d.id);
      assert.ok(!log.includes(CANARY), `deployment log ${d.id}`);
      responses.push(JSON.stringify(await client.getDeployment(d.id)));
    }
    responses.push(JSON.stringify(await client.audit({ limit: 200 })));
    for (const r of responses) assert.ok(!r.includes(CANARY), r.slice(0, 200));
  });
});
