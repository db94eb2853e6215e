// Issue 6's acceptance with MariaDB and an S3-compatible target, end to end: a real control
// plane process, a real git repository, a real MariaDB server and s3rver. A deploy whose
// release phase migrates takes a backup to S3 first, restores it into a scratch database and
// checks it before the migration runs; the object in the bucket has the recorded size and
// checksum and restores the old schema. The database password is a canary.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { request } from 'undici';
import type { ApiClient } from '../../src/cli/api-client.js';
import { MariadbEngine } from '../../src/backups/mariadb-engine.js';
import { restoreBackup } from '../../src/backups/restore-backup.js';
import { S3Target } from '../../src/backups/s3-target.js';
import type { Backup } from '../../src/core/model.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { toRecord } from '../../src/services/backup-service.js';
import { adminConn } from '../backups/fixtures.js';
import { stopControlPlane } from '../support/cleanup.js';
import { watchCmdlines } from '../support/cmdline-watch.js';
import { startDatabases, type TestDatabases } from '../support/databases.js';
import { apiClient, logText, waitTerminal } from '../support/deploy-client.js';
import { projectRoot } from '../support/entry.js';
import { createTestRepo, type TestRepo } from '../support/git-repo.js';
import { startS3Server, type TestS3Server } from '../support/s3-server.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const HOST = 'ledger.test';
const BUCKET = 'slipway-e2e';
const CANARY = `canary${randomBytes(9).toString('hex')}`;
const engine = new MariadbEngine();

describe('data safety with MariaDB and an S3 target, through deploys', { timeout: 600_000 }, () => {
  let dbs: TestDatabases | undefined;
  let s3: TestS3Server | undefined;
  let appUrl: string;
  let dataDir: string;
  let repo: TestRepo;
  let server: ServerProcess;
  let client: ApiClient;
  let edgeUrl: string;
  let fixture: Record<string, string>;
  const seenInArgv: string[] = [];
  const responses: string[] = [];

  const admin = () => adminConn(dbs!.mariadb.url, 'mariadb');
  const appDb = (database: string) => ({ ...adminConn(appUrl, 'mariadb'), database });
  const s3Target = () =>
    new S3Target({
      bucket: BUCKET,
      prefix: 'ledger',
      region: s3!.region,
      endpoint: s3!.endpoint,
      accessKeyId: new Sensitive(s3!.accessKeyId),
      secretAccessKey: new Sensitive(s3!.secretAccessKey),
    });

  async function columns(database: string): Promise<string[]> {
    const rows = await engine.query(admin(), `SELECT column_name FROM information_schema.columns WHERE table_schema = '${database}' AND table_name = 'ledger_accounts' ORDER BY 1`);
    return rows.map((r) => String(r[0]));
  }

  async function deployVersion(n: number): Promise<{ id: string; status: string; error: string | null; releaseId: string | null }> {
    await repo.commit({ ...fixture, VERSION: `${n}\n` }, `Version ${n}`);
    await repo.push('main');
    const watch = watchCmdlines(CANARY);
    try {
      const { deployment } = await client.deploy('ledger', 'staging');
      return await waitTerminal(client, deployment.id, 180_000);
    } finally {
      seenInArgv.push(...(await watch.stop()));
      assert.ok(watch.samples() > 3, 'the process list was sampled during the deploy');
    }
  }

  before(async () => {
    dbs = await startDatabases();
    s3 = await startS3Server(BUCKET);
    if (!dbs || !s3) return;
    await engine.query(admin(), `CREATE USER 'ledger'@'127.0.0.1' IDENTIFIED BY '${CANARY}'`);
    // Drills create and drop scratch databases, so the app's user needs those rights too.
    await engine.query(admin(), `GRANT ALL PRIVILEGES ON *.* TO 'ledger'@'127.0.0.1'`);
    await engine.query(admin(), 'CREATE DATABASE ledger CHARACTER SET utf8mb4');
    const u = new URL(dbs.mariadb.url);
    appUrl = `mysql://ledger:${CANARY}@127.0.0.1:${u.port}/ledger`;

    // The web server of the PostgreSQL fixture, with this fixture's migration and slipway.yml.
    fixture = {};
    for (const app of ['data-safety', 'data-safety-mariadb']) {
      const dir = path.join(projectRoot, 'test', 'fixtures', 'apps', app);
      for (const name of await readdir(dir)) fixture[name] = await readFile(path.join(dir, name), 'utf8');
    }
    fixture['slipway.yml'] = fixture['slipway.yml']!.replaceAll('S3_ENDPOINT', s3.endpoint);
    repo = await createTestRepo();
    await repo.commit({ ...fixture }, 'Version 1');
    await repo.push('main');
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-e2e-ledger-'));
    server = await startServerProcess({ dataDir });
    client = apiClient(server.url, server.token);
    const edge = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { port: number };
    edgeUrl = `http://127.0.0.1:${edge.port}`;
    await client.createApp({ name: 'ledger', repo: repo.bare });
    await client.setSecret('ledger', 'DATABASE_URL', new Sensitive(appUrl), 'staging');
    await client.setSecret('ledger', 'S3_ACCESS_KEY_ID', new Sensitive(s3.accessKeyId));
    await client.setSecret('ledger', 'S3_SECRET_ACCESS_KEY', new Sensitive(s3.secretAccessKey));
  });

  after(async () => {
    await stopControlPlane(server, dataDir);
    await repo?.cleanup();
    await s3?.stop();
    await dbs?.stop();
  });

  test('v1: the empty database is backed up to S3 and drilled before the migration creates the schema', async (t) => {
    if (!dbs || !s3) return t.skip('MariaDB server or s3rver not installed');
    const d = await deployVersion(1);
    assert.equal(d.status, 'succeeded', d.error ?? '');
    const log = await logText(client, d.id);
    assert.match(log, new RegExp(`backing up database "books" \\(mariadb\\) to s3://${BUCKET}/ledger at ${s3.endpoint.replace(/\./g, '\\.')}`));
    const drilled = log.search(/restore drill of bk_\w+ passed/);
    assert.ok(drilled >= 0 && drilled < log.indexOf('migrated to v1'), log);
    await engine.query(appDb('ledger'), "INSERT INTO ledger_accounts (name) VALUES ('cash'), ('bank')");
    await engine.query(appDb('ledger'), 'INSERT INTO ledger_entries (account_id, amount) VALUES (1, 10), (1, -5), (2, 100), (2, 7)');
  });

  let v2Backup: Backup;

  test('v2 migrates: the pre-migration backup on S3 matches its record, passed its drill first, and holds the old schema', async (t) => {
    if (!dbs || !s3) return t.skip('MariaDB server or s3rver not installed');
    const d = await deployVersion(2);
    assert.equal(d.status, 'succeeded', d.error ?? '');
    const res = await request(`${edgeUrl}/`, { headers: { host: HOST } });
    assert.equal(await res.body.text(), 'v2');

    const { backups } = await client.backups('ledger', 'staging');
    responses.push(JSON.stringify(backups));
    const pre = backups.filter((b) => b.releaseId === d.releaseId && b.reason === 'pre-migration');
    assert.equal(pre.length, 1, JSON.stringify(backups));
    v2Backup = pre[0]!;
    assert.equal(v2Backup.target, 'offsite');
    assert.equal(v2Backup.kind, 'mariadb');
    assert.equal(v2Backup.status, 'verified', JSON.stringify(v2Backup.verdict));
    assert.deepEqual(Object.values(v2Backup.rowCounts).sort(), [2, 4]);
    const log = await logText(client, d.id);
    const drilled = log.indexOf(`restore drill of ${v2Backup.id} passed: 2 table(s), row counts match`);
    assert.ok(drilled >= 0 && drilled < log.indexOf('migrated to v2'), log);

    // The object in the bucket, read with a plain S3 client, is the one recorded.
    const s3Client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    try {
      const obj = await s3Client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `ledger/${v2Backup.key}` }));
      const bytes = Buffer.from(await obj.Body!.transformToByteArray());
      assert.equal(bytes.length, v2Backup.size);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), v2Backup.sha256);
    } finally {
      s3Client.destroy();
    }

    // Restored from S3 into a scratch database, it has the schema from before the migration.
    await engine.query(admin(), 'CREATE DATABASE check_v2 CHARACTER SET utf8mb4');
    const target = s3Target();
    try {
      const restored = await restoreBackup({ record: toRecord(v2Backup), target, url: new Sensitive(appUrl.replace(/\/ledger$/, '/check_v2')) });
      assert.deepEqual(Object.values(restored.rowCounts).sort(), [2, 4]);
    } finally {
      target.destroy();
    }
    assert.deepEqual(await columns('check_v2'), ['id', 'name']);
    assert.deepEqual(await columns('ledger'), ['currency', 'id', 'name'], 'the migration ran after the backup');
    await engine.query(admin(), 'DROP DATABASE check_v2');
  });

  test('slipway backups verify drills the S3 backup again; no scratch database is left behind', async (t) => {
    if (!dbs || !s3) return t.skip('MariaDB server or s3rver not installed');
    const { backup } = await client.verifyBackup(v2Backup.id);
    responses.push(JSON.stringify(backup));
    assert.equal(backup.status, 'verified', JSON.stringify(backup.verdict));
    const left = await engine.query(admin(), "SHOW DATABASES LIKE 'slipway\\_drill\\_%'");
    assert.deepEqual(left, []);
  });

  test('restoring the pre-migration backup from S3 (with a safety backup first) brings back the old schema and rows', async (t) => {
    if (!dbs || !s3) return t.skip('MariaDB server or s3rver not installed');
    await engine.query(appDb('ledger'), 'DELETE FROM ledger_entries WHERE amount < 0');
    const progress: string[] = [];
    const out = await client.restoreBackup(v2Backup.id, { to: { app: 'ledger', env: 'staging' }, confirm: 'ledger/staging' }, (e) => {
      if ('line' in e) progress.push(e.line);
    });
    responses.push(JSON.stringify(out));
    assert.equal(out.safety.reason, 'safety');
    assert.deepEqual(Object.values(out.safety.rowCounts).sort(), [2, 3]);
    assert.deepEqual(Object.values(out.rowCounts).sort(), [2, 4]);
    assert.deepEqual(await columns('ledger'), ['id', 'name'], 'the schema from before the v2 migration');
    assert.match(progress.join('\n'), /taking a safety backup[\s\S]*restoring backup/);
  });

  test('the password never appears in logs, API responses or any process argv', async (t) => {
    if (!dbs || !s3) return t.skip('MariaDB server or s3rver not installed');
    assert.deepEqual(seenInArgv, []);
    assert.ok(!server.logs().includes(CANARY), 'server log');
    const { deployments } = await client.listDeployments({ app: 'ledger' });
    for (const d of deployments) {
      assert.ok(!(await logText(client, d.id)).includes(CANARY), `deployment log ${d.id}`);
      responses.push(JSON.stringify(await client.getDeployment(d.id)));
    }
    responses.push(JSON.stringify(await client.audit({ limit: 200 })));
    for (const r of responses) assert.ok(!r.includes(CANARY), r.slice(0, 200));
  });
});
