// Backup and restore throughput of Slipway vs the raw pg_dump / pg_restore on the same machine
// in the same run, and the peak RSS of the process that backs up. Prints JSON.
//
//   node --import tsx bench/backup-throughput.ts [--mb 200] [--rounds 2]
//
// Starts private PostgreSQL/MariaDB servers (scripts/databases-up.sh), generates a database of
// at least --mb MB (pg_database_size), then per round: raw pg_dump to a file, Slipway's
// createBackup to a LocalDirectoryTarget (in a child process, whose maxRSS is the figure),
// raw pg_restore into a fresh database, Slipway's restoreBackup (verifies the stored object,
// then restores) into another. Throughput is database MB per second; best round reported.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBackup } from '../src/backups/create-backup.js';
import type { BackupRecord } from '../src/backups/backup-record.js';
import { parseDatabaseUrl, withDatabase } from '../src/backups/database-connection.js';
import { LocalDirectoryTarget } from '../src/backups/local-directory-target.js';
import { PostgresEngine, pgEnv } from '../src/backups/postgres-engine.js';
import { restoreBackup } from '../src/backups/restore-backup.js';
import { runTool } from '../src/backups/tool-process.js';
import { Sensitive } from '../src/core/sensitive.js';
import { startDatabases } from '../test/support/databases.js';
import { nodeArgvFor } from '../test/support/entry.js';

interface ChildRequest {
  mode: 'backup' | 'restore';
  url: string;
  dir: string;
  record?: BackupRecord;
}
interface ChildResult {
  seconds: number;
  maxRssMb: number;
  record?: BackupRecord;
}

const engine = new PostgresEngine();

async function child(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const req = JSON.parse(input) as ChildRequest;
  const target = new LocalDirectoryTarget(req.dir);
  const t0 = performance.now();
  let record: BackupRecord | undefined;
  if (req.mode === 'backup') record = await createBackup({ database: 'bench', kind: 'postgres', url: new Sensitive(req.url), target });
  else await restoreBackup({ record: req.record!, target, url: new Sensitive(req.url) });
  const seconds = (performance.now() - t0) / 1000;
  const out: ChildResult = { seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, record };
  process.stdout.write(JSON.stringify(out));
}

function runChild(req: ChildRequest): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    // The URL (with its password) goes over stdin, never argv.
    const c = spawn(process.execPath, [...nodeArgvFor('bench/backup-throughput.ts'), '--child'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ChildResult) : reject(new Error(`bench child exited with ${code}`))));
    c.stdin.end(JSON.stringify(req));
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string, dflt: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const targetMb = flag('--mb', 200);
  const rounds = flag('--rounds', 2);
  const dbs = await startDatabases();
  if (!dbs) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql mariadb-server');
  const work = await mkdtemp(path.join(os.tmpdir(), 'slipway-bench-'));
  try {
    const admin = parseDatabaseUrl(new Sensitive(dbs.postgres.url), 'postgres');
    const bench = withDatabase(admin, 'bench');
    await engine.createDatabase(admin, 'bench');
    await engine.query(bench, 'CREATE TABLE events (id bigint PRIMARY KEY, account int, kind text, payload text, created_at timestamptz)');
    let rows = 0;
    let dbBytes = 0;
    const genStart = performance.now();
    while (dbBytes < targetMb * 1e6) {
      await engine.query(
        bench,
        `INSERT INTO events SELECT g, g % 1000, 'kind-' || (g % 17), md5(g::text) || md5((g * 7)::text) || md5(random()::text), now() - g * interval '1 second'
         FROM generate_series(${rows + 1}, ${rows + 500_000}) g`,
      );
      rows += 500_000;
      dbBytes = Number((await engine.query(bench, "SELECT pg_database_size('bench')"))[0]![0]);
    }
    await engine.query(bench, 'VACUUM ANALYZE events');
    const generateSeconds = (performance.now() - genStart) / 1000;
    const dbMb = dbBytes / 1e6;
    const url = dbs.postgres.url.replace(/\/postgres$/, '/bench');

    const results = { rawBackup: [] as number[], ours: [] as ChildResult[], rawRestore: [] as number[], ourRestore: [] as ChildResult[] };
    let dumpBytes = 0;
    let ourBytes = 0;
    // Warm-up (not timed): the table in the page cache for whichever backup runs first.
    await runTool(['pg_dump', '--format=custom', '--no-password', '-f', path.join(work, 'warm.pgdump')], { env: pgEnv(bench) });
    await rm(path.join(work, 'warm.pgdump'));
    for (let r = 0; r < rounds; r++) {
      const rawFile = path.join(work, `raw-${r}.pgdump`);
      const rawDump = async () => {
        results.rawBackup.push(await timed(() => runTool(['pg_dump', '--format=custom', '--no-password', '-f', rawFile], { env: pgEnv(bench) })));
        dumpBytes = (await stat(rawFile)).size;
      };
      const ourDump = async () => {
        const o = await runChild({ mode: 'backup', url, dir: path.join(work, 'target') });
        results.ours.push(o);
        return o;
      };
      // Alternate which one goes first, so neither always gets the warmer cache.
      let ours: ChildResult;
      if (r % 2 === 0) {
        await rawDump();
        ours = await ourDump();
      } else {
        ours = await ourDump();
        await rawDump();
      }
      ourBytes = ours.record!.size;

      const rawDb = `bench_raw_${r}`;
      await engine.createDatabase(admin, rawDb);
      results.rawRestore.push(
        await timed(() =>
          runTool(['pg_restore', '--no-password', '--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${rawDb}`, rawFile], {
            env: pgEnv(admin),
          }),
        ),
      );
      await engine.dropDatabase(admin, rawDb);
      await rm(rawFile);
      const ourDb = `bench_ours_${r}`;
      await engine.createDatabase(admin, ourDb);
      results.ourRestore.push(
        await runChild({ mode: 'restore', url: dbs.postgres.url.replace(/\/postgres$/, `/${ourDb}`), dir: path.join(work, 'target'), record: ours.record! }),
      );
      await engine.dropDatabase(admin, ourDb);
      await new LocalDirectoryTarget(path.join(work, 'target')).delete(ours.record!.key);
    }
    const best = (xs: number[]) => Math.min(...xs);
    const mbps = (s: number) => Number((dbMb / s).toFixed(1));
    const rawB = best(results.rawBackup);
    const ourB = best(results.ours.map((o) => o.seconds));
    const rawR = best(results.rawRestore);
    const ourR = best(results.ourRestore.map((o) => o.seconds));
    const report = {
      database_mb: Number(dbMb.toFixed(1)),
      rows,
      generate_seconds: Number(generateSeconds.toFixed(1)),
      dump_mb: { raw: Number((dumpBytes / 1e6).toFixed(1)), slipway: Number((ourBytes / 1e6).toFixed(1)) },
      rounds,
      backup: {
        raw_pg_dump_seconds: results.rawBackup.map((s) => Number(s.toFixed(2))),
        slipway_seconds: results.ours.map((o) => Number(o.seconds.toFixed(2))),
        raw_mb_per_s: mbps(rawB),
        slipway_mb_per_s: mbps(ourB),
        slipway_vs_raw: Number((rawB / ourB).toFixed(3)),
      },
      restore: {
        raw_pg_restore_seconds: results.rawRestore.map((s) => Number(s.toFixed(2))),
        slipway_seconds: results.ourRestore.map((o) => Number(o.seconds.toFixed(2))),
        raw_mb_per_s: mbps(rawR),
        slipway_mb_per_s: mbps(ourR),
        slipway_vs_raw: Number((rawR / ourR).toFixed(3)),
        note: 'slipway restore reads the stored object twice: a full sha256 verification first, then the restore',
      },
      peak_rss_mb: {
        backup: Number(Math.max(...results.ours.map((o) => o.maxRssMb)).toFixed(1)),
        restore: Number(Math.max(...results.ourRestore.map((o) => o.maxRssMb)).toFixed(1)),
        note: 'maxRSS of the Node process running createBackup / restoreBackup (child, started with the same loader as this script)',
      },
      machine: { cpus: os.cpus().length, load_average: os.loadavg().map((l) => Number(l.toFixed(1))), node: process.version, pg_dump: await engine.toolVersion() },
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } finally {
    await rm(work, { recursive: true, force: true });
    await dbs.stop();
  }
}

if (process.argv.includes('--child')) await child();
else await main();
