// PostgreSQL through its own tools: psql, pg_dump (custom format), pg_restore.
// Connection details go to the tools as PG* environment variables: the password never
// appears in argv, and a database name is never parsed as a connection string.
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { PreconditionError } from '../core/errors.js';
import type { DatabaseConnection } from './database-connection.js';
import type { DatabaseEngine, DumpSession, EngineCallOptions, RowCounts } from './database-engine.js';
import { feedTool, runTool, startTool } from './tool-process.js';

const FS = '\x1f';
const READY = '__slipway_snapshot_ready__';
const SNAPSHOT_TIMEOUT_MS = 60_000;

/** One exact count(*) per user table, as "schema.table<FS>count" rows. */
export const PG_ROW_COUNTS_SQL = `SELECT n.nspname || '.' || c.relname,
  (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
ORDER BY 1`;

export function pgEnv(conn: DatabaseConnection, database = conn.database): Record<string, string> {
  const env: Record<string, string> = {
    PGHOST: conn.socket ?? conn.host ?? '127.0.0.1',
    PGUSER: conn.user,
    PGDATABASE: database,
    PGCONNECT_TIMEOUT: '10',
    PGAPPNAME: 'slipway-backup',
  };
  if (conn.port !== undefined) env.PGPORT = String(conn.port);
  if (conn.password) env.PGPASSWORD = conn.password.reveal();
  return env;
}

/** argv of the tools (pure; no secrets, no connection details). */
export const pgArgv = {
  psql: (): string[] => ['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-F', FS],
  dump: (snapshot: string): string[] => ['pg_dump', '--format=custom', '--no-password', `--snapshot=${snapshot}`],
  restore: (database: string): string[] => [
    'pg_restore',
    '--no-password',
    '--exit-on-error',
    '--no-owner',
    '--no-privileges',
    `--dbname=dbname=${quoteConninfo(database)}`,
  ],
};

export class PostgresEngine implements DatabaseEngine {
  readonly family = 'postgres' as const;
  readonly extension = 'pgdump';

  async toolVersion(): Promise<string> {
    return (await runTool(['pg_dump', '--version'])).trim();
  }

  async query(conn: DatabaseConnection, sql: string): Promise<(string | null)[][]> {
    const out = await runTool([...pgArgv.psql(), '-R', '\x1e', '-P', 'null=\x1dNULL', '-c', sql], opts(conn));
    if (out.trim() === '') return [];
    return out
      .replace(/\n$/, '')
      .split('\x1e')
      .map((row) => row.split(FS).map((v) => (v === '\x1dNULL' ? null : v)));
  }

  async rowCounts(conn: DatabaseConnection): Promise<RowCounts> {
    return countsFrom(await this.query(conn, PG_ROW_COUNTS_SQL));
  }

  async createDatabase(conn: DatabaseConnection, name: string): Promise<void> {
    await this.query(conn, `CREATE DATABASE ${quoteIdent(name)}`);
  }

  async dropDatabase(conn: DatabaseConnection, name: string): Promise<void> {
    await this.query(conn, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  }

  /**
   * Opens a REPEATABLE READ transaction in psql, exports its snapshot, counts every table in
   * it, then runs pg_dump on that same snapshot: the counts describe exactly the dumped data.
   */
  async startDump(conn: DatabaseConnection, o: EngineCallOptions = {}): Promise<DumpSession> {
    const session = startTool(pgArgv.psql(), opts(conn, o));
    session.stdin.write(
      `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\nSELECT 'snapshot', pg_export_snapshot();\n` +
        `SELECT 'count', t.* FROM (${PG_ROW_COUNTS_SQL}) t;\n\\echo ${READY}\n`,
    );
    let snapshot: string | undefined;
    const counts: RowCounts = {};
    try {
      await withTimeout(readUntilReady(session.stdout, (fields) => {
        if (fields[0] === 'snapshot') snapshot = fields[1];
        else if (fields[0] === 'count' && fields[1] !== undefined) counts[fields[1]] = Number(fields[2]);
      }, session.exited), SNAPSHOT_TIMEOUT_MS, 'psql did not export a snapshot within 60 s');
    } catch (err) {
      session.kill();
      throw err;
    }
    if (!snapshot) {
      session.kill();
      throw new PreconditionError('psql did not return a snapshot id; is the server PostgreSQL 9.2 or newer?');
    }
    const dump = startTool(pgArgv.dump(snapshot), opts(conn, o));
    dump.stdin.end();
    const finished = (async () => {
      try {
        await dump.exited;
      } finally {
        session.stdin.end('COMMIT;\n');
      }
      await session.exited;
    })();
    finished.catch(() => session.kill());
    return {
      stdout: dump.stdout,
      rowCounts: counts,
      finished,
      abort: () => {
        dump.kill();
        session.kill();
      },
    };
  }

  async restore(conn: DatabaseConnection, input: Readable, o: EngineCallOptions = {}): Promise<void> {
    const tool = startTool(pgArgv.restore(conn.database), opts(conn, o));
    await feedTool(tool, input);
  }
}

function opts(conn: DatabaseConnection, o: EngineCallOptions = {}) {
  return { env: pgEnv(conn), secrets: conn.password ? [conn.password.reveal()] : [], onStderr: o.onStderr };
}

function countsFrom(rows: (string | null)[][]): RowCounts {
  const counts: RowCounts = {};
  for (const [table, n] of rows) if (table) counts[table] = Number(n);
  return counts;
}

async function readUntilReady(stdout: Readable, onRow: (fields: string[]) => void, exited: Promise<void>): Promise<void> {
  const rl = readline.createInterface({ input: stdout });
  const ready = new Promise<void>((resolve, reject) => {
    rl.on('line', (line) => {
      if (line === READY) {
        rl.close();
        stdout.resume();
        resolve();
      } else onRow(line.split(FS));
    });
    // When psql fails, its exit error (with stderr) says why; prefer it to the bare EOF.
    rl.on('close', () => {
      exited.then(
        () => reject(new PreconditionError('psql ended before the snapshot was ready')),
        (err: unknown) => reject(err),
      );
    });
  });
  await ready;
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PreconditionError(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteConninfo(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
