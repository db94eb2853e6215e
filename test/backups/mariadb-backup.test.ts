// End to end against a real MariaDB: mariadb-dump --single-transaction -> target -> drill; damage
// is caught; the password goes through a 0600 option file, never argv, errors or logs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createBackup } from '../../src/backups/create-backup.js';
import { LocalDirectoryTarget } from '../../src/backups/local-directory-target.js';
import { MariadbEngine } from '../../src/backups/mariadb-engine.js';
import { restoreDrill } from '../../src/backups/restore-drill.js';
import type { Sensitive } from '../../src/core/sensitive.js';
import { startDatabases, type TestDatabases } from '../support/databases.js';
import { adminConn, CANARY_PASSWORD, canaryUrl, seedMariadb, watchCommandLines } from './fixtures.js';

const engine = new MariadbEngine();
let dbs: TestDatabases | undefined;
let dir: string;
let url: Sensitive;
const verify = [
  { query: 'SELECT id FROM users LIMIT 1', expect: 'non_empty' as const },
  { query: 'SELECT COUNT(*) FROM orders', expect: 1500 },
];

before(async () => {
  dbs = await startDatabases();
  dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-my-backup-'));
  if (!dbs) return;
  const admin = adminConn(dbs.mariadb.url, 'mariadb');
  await seedMariadb(engine, admin, 'app');
  await engine.query(admin, `CREATE USER 'canary'@'127.0.0.1' IDENTIFIED BY '${CANARY_PASSWORD}'; GRANT ALL PRIVILEGES ON *.* TO 'canary'@'127.0.0.1'`);
  url = canaryUrl(dbs.mariadb.url, 'mariadb', 'canary', 'app');
});
after(async () => {
  await dbs?.stop();
  await rm(dir, { recursive: true, force: true });
});

function skipUnless(t: { skip(msg: string): void }): boolean {
  if (!dbs) t.skip('PostgreSQL/MariaDB packages not installed');
  return !dbs;
}

test('mariadb: backup matches on the target, records exact counts, and a drill passes', async (t) => {
  if (skipUnless(t)) return;
  const target = new LocalDirectoryTarget(path.join(dir, 'plain'));
  const record = await createBackup({ database: 'shop', kind: 'mariadb', url, target });
  assert.match(record.key, /^shop\/\d{8}T\d{6}Z-[0-9a-f]{12}\.sql$/);
  const bytes = await readFile(path.join(dir, 'plain', record.key));
  assert.equal(bytes.length, record.size);
  assert.equal(createHash('sha256').update(bytes).digest('hex'), record.sha256);
  assert.match(bytes.toString('utf8', 0, 2000), /MariaDB dump/);
  assert.match(bytes.toString('utf8'), /PROCEDURE `user_count`/, 'routines are in the dump');
  assert.deepEqual(record.rowCounts, { empty_table: 0, orders: 1500, users: 500 });
  const verdict = await restoreDrill({ record, target, url, verify });
  assert.deepEqual(verdict.reasons, []);
  assert.deepEqual(verdict.rowCounts, record.rowCounts);
  const left = await engine.query(adminConn(dbs!.mariadb.url, 'mariadb'), "SHOW DATABASES LIKE 'slipway\\_drill\\_%'");
  assert.deepEqual(left, [], 'the scratch database is dropped');
});

test('mariadb: a truncated dump and a flipped byte are each caught', async (t) => {
  if (skipUnless(t)) return;
  const target = new LocalDirectoryTarget(path.join(dir, 'damage'));
  const a = await createBackup({ database: 'shop', kind: 'mariadb', url, target });
  await truncate(path.join(dir, 'damage', a.key), Math.floor(a.size * 0.6));
  const cut = await restoreDrill({ record: a, target, url, verify });
  assert.equal(cut.ok, false);
  assert.match(cut.reasons[0]!, /size mismatch: .* \(the object is truncated\)/);

  const b = await createBackup({ database: 'shop', kind: 'mariadb', url, target });
  const file = path.join(dir, 'damage', b.key);
  const bytes = await readFile(file);
  // Flip a digit inside the data: the SQL still parses, so only the checksum can tell.
  const at = bytes.indexOf(Buffer.from("'u250@example.test'")) + 2;
  bytes[at] = '7'.charCodeAt(0);
  await writeFile(file, bytes);
  const flipped = await restoreDrill({ record: b, target, url, verify });
  assert.equal(flipped.ok, false);
  assert.match(flipped.reasons[0]!, /^checksum mismatch/);
});

test('mariadb: the password is only in a 0600 option file, never in argv, errors or logs', async (t) => {
  if (skipUnless(t)) return;
  const target = new LocalDirectoryTarget(path.join(dir, 'canary'));
  const logs: string[] = [];
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const optionFileModes = new Set<string>();
  const watching = watchCommandLines(done);
  const record = await createBackup({ database: 'shop', kind: 'mariadb', url, target, onLog: (l) => logs.push(l) });
  const verdict = await restoreDrill({ record, target, url, verify, onLog: (l) => logs.push(l) });
  resolveDone();
  const seen = await watching;
  // `mariadb-dump --version` (the tool probe) carries no connection details and no option file.
  const dumps = seen.filter((c) => c.startsWith('mariadb-dump ') && c !== 'mariadb-dump --version');
  assert.ok(dumps.length > 0, 'the watcher saw mariadb-dump running');
  for (const c of seen) assert.ok(!c.includes(CANARY_PASSWORD), `argv leaks the password: ${c}`);
  for (const c of dumps) {
    const m = /--defaults-extra-file=(\S+)/.exec(c);
    assert.ok(m, `the option file is passed: ${c}`);
    try {
      optionFileModes.add((statSync(m[1]!).mode & 0o777).toString(8));
    } catch {
      optionFileModes.add('removed');
    }
  }
  assert.ok([...optionFileModes].every((m) => m === '600' || m === 'removed'), `option file modes: ${[...optionFileModes]}`);
  assert.ok(!JSON.stringify({ record, verdict, logs }).includes(CANARY_PASSWORD));
  const wrong = new (url.constructor as new (v: string) => Sensitive)(url.reveal().replace(encodeURIComponent(CANARY_PASSWORD), 'nope'));
  const err = await createBackup({ database: 'shop', kind: 'mariadb', url: wrong, target }).then(
    () => assert.fail('expected failure'),
    (e: unknown) => e as Error,
  );
  assert.match(err.message, /Access denied for user 'canary'/);
  assert.ok(!err.message.includes(CANARY_PASSWORD));
  // Option files are removed after each tool run.
  const leftovers = (await import('node:fs')).readdirSync(os.tmpdir()).filter((n) => n.startsWith('slipway-my-') && !n.startsWith('slipway-my-backup-'));
  assert.deepEqual(leftovers, []);
});
