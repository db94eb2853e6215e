// Backups to an S3-compatible server (s3rver) end to end: a multipart upload verified by reading
// it back, a drill from S3, damage at rest caught, and an upload cut off mid-way caught.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createBackup } from '../../src/backups/create-backup.js';
import { withDatabase } from '../../src/backups/database-connection.js';
import { PostgresEngine } from '../../src/backups/postgres-engine.js';
import { restoreDrill } from '../../src/backups/restore-drill.js';
import { S3Target } from '../../src/backups/s3-target.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { startDatabases, type TestDatabases } from '../support/databases.js';
import { startS3Server, type TestS3Server } from '../support/s3-server.js';
import { adminConn } from './fixtures.js';

const engine = new PostgresEngine();
let dbs: TestDatabases | undefined;
let s3: TestS3Server | undefined;
let url: Sensitive;
const targets: S3Target[] = [];
const verify = [{ query: 'SELECT count(*) FROM events', expect: 120_000 }];

before(async () => {
  [dbs, s3] = await Promise.all([startDatabases(), startS3Server()]);
  if (!dbs) return;
  const admin = adminConn(dbs.postgres.url, 'postgres');
  await engine.query(admin, 'CREATE DATABASE big');
  // Random text barely compresses: the custom-format dump is well over one 5 MiB part.
  await engine.query(
    withDatabase(admin, 'big'),
    `CREATE TABLE events (id int PRIMARY KEY, payload text);
     INSERT INTO events SELECT g, md5(random()::text) || md5(random()::text) || md5(random()::text) FROM generate_series(1, 120000) g;`,
  );
  url = new Sensitive(dbs.postgres.url.replace(/\/postgres$/, '/big'));
});
after(async () => {
  for (const t of targets) t.destroy();
  await Promise.all([dbs?.stop(), s3?.stop()]);
});

function target(prefix: string, endpoint?: string, maxAttempts?: number): S3Target {
  const t = new S3Target({
    bucket: s3!.bucket,
    prefix,
    region: s3!.region,
    endpoint: endpoint ?? s3!.endpoint,
    accessKeyId: new Sensitive(s3!.accessKeyId),
    secretAccessKey: new Sensitive(s3!.secretAccessKey),
    partSize: 5 * 1024 * 1024,
    maxAttempts,
  });
  targets.push(t);
  return t;
}

function skipUnless(t: { skip(msg: string): void }): boolean {
  if (!dbs || !s3) t.skip('database packages or s3rver not installed');
  return !dbs || !s3;
}

/** s3rver keeps each object in "<dir>/<bucket>/<key>._S3rver_object". */
async function objectFile(key: string): Promise<string> {
  const file = path.join(s3!.dataDir, s3!.bucket, `${key}._S3rver_object`);
  await readFile(file, { flag: 'r' }).catch(async () => {
    throw new Error(`no object file for ${key}; have: ${(await readdir(path.dirname(file))).join(', ')}`);
  });
  return file;
}

test('S3: a multipart backup is verified by size, stored sha256 and read-back; a drill from S3 passes', async (t) => {
  if (skipUnless(t)) return;
  const tgt = target('prod');
  const progress: number[] = [];
  const record = await createBackup({ database: 'big', kind: 'postgres', url, target: tgt, onProgress: (b) => progress.push(b) });
  assert.ok(record.size > 5 * 1024 * 1024, `dump of ${record.size} bytes spans several parts`);
  assert.equal(record.uploadVerified, true);
  assert.equal(record.target, `s3://${s3!.bucket}/prod at ${s3!.endpoint}`);
  assert.ok(progress.length >= 2, 'progress was reported per part');
  const st = await tgt.stat(record.key);
  assert.deepEqual(st, { key: record.key, size: record.size, sha256: record.sha256 });
  const stored = await readFile(await objectFile(`prod/${record.key}`));
  assert.equal(createHash('sha256').update(stored).digest('hex'), record.sha256);
  const verdict = await restoreDrill({ record, target: tgt, url, verify });
  assert.deepEqual(verdict.reasons, []);
});

test('S3: an object altered at rest is caught by the drill', async (t) => {
  if (skipUnless(t)) return;
  const tgt = target('rest');
  const record = await createBackup({ database: 'big', kind: 'postgres', url, target: tgt });
  const file = await objectFile(`rest/${record.key}`);
  const bytes = await readFile(file);
  const at = Math.floor(bytes.length / 3);
  bytes[at] = bytes[at]! ^ 0x04;
  await writeFile(file, bytes);
  const verdict = await restoreDrill({ record, target: tgt, url, verify });
  assert.equal(verdict.ok, false);
  assert.match(verdict.reasons[0]!, /^checksum mismatch/);
});

test('S3: an upload cut off mid-way fails the backup with a clear reason and leaves no object', async (t) => {
  if (skipUnless(t)) return;
  // A proxy that cuts every connection after 1 MiB of request bytes: parts never arrive whole.
  const upstream = Number(new URL(s3!.endpoint).port);
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const server = net.connect(upstream, '127.0.0.1');
    sockets.add(client).add(server);
    let sent = 0;
    client.on('data', (d: Buffer) => {
      sent += d.length;
      if (sent > 1024 * 1024) {
        client.destroy();
        server.destroy();
      } else server.write(d);
    });
    server.pipe(client);
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    proxy.close();
  });
  const port = (proxy.address() as net.AddressInfo).port;
  const cut = target('cut', `http://127.0.0.1:${port}`, 2);
  const err = await createBackup({ database: 'big', kind: 'postgres', url, target: cut }).then(
    () => assert.fail('a cut-off upload must fail the backup'),
    (e: unknown) => e as Error,
  );
  t.diagnostic(err.message);
  assert.match(err.message, /^backup of database "big" failed: upload of "big\/\S+\.pgdump" to s3:\/\/slipway-test\/cut at http:\/\/127\.0\.0\.1:\d+ failed: (read ECONNRESET|socket hang up|write EPIPE)/);
  const direct = target('cut');
  assert.deepEqual(await direct.list(''), [], 'nothing is left under the prefix');
});

test('S3: a dump tool killed mid-stream fails the backup and aborts the multipart upload', async (t) => {
  if (skipUnless(t)) return;
  const { readdirSync, readFileSync } = await import('node:fs');
  const tgt = target('killed');
  let killed = false;
  const hunter = setInterval(() => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (/pg_dump\0--format=custom\0--no-password\0--snapshot=/.test(cmd)) {
          process.kill(Number(pid), 'SIGKILL');
          killed = true;
          clearInterval(hunter);
        }
      } catch {
        // gone meanwhile
      }
    }
  }, 20);
  t.after(() => clearInterval(hunter));
  const err = await createBackup({ database: 'big', kind: 'postgres', url, target: tgt }).then(
    () => assert.fail('a killed dump must fail the backup'),
    (e: unknown) => e as Error,
  );
  t.diagnostic(err.message);
  assert.ok(killed, 'the test killed pg_dump');
  assert.match(err.message, /^backup of database "big" failed: .*(pg_dump was killed by SIGKILL|upload of)/);
  assert.deepEqual(await target('killed').list(''), []);
});
