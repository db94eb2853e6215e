// MariaDB / MySQL through their own tools: mariadb (client) and mariadb-dump (or mysql/mysqldump).
// The password is in a 0600 option file passed as --defaults-extra-file, never in argv.
import type { Readable } from 'node:stream';
import { InvalidInputError } from '../core/errors.js';
import type { DatabaseConnection } from './database-connection.js';
import type { DatabaseEngine, DumpSession, EngineCallOptions, RowCounts } from './database-engine.js';
import { writeOptionFile, type OptionFile } from './mariadb-option-file.js';
import { feedTool, runTool, startTool } from './tool-process.js';

export interface MariadbTools {
  client: string;
  dump: string;
}

/** argv of the tools (pure). `optionFlag` is --defaults-extra-file=..., which must come first. */
export const mariadbArgv = {
  query: (t: MariadbTools, optionFlag: string, database: string, sql: string): string[] => [
    t.client, optionFlag, '--batch', '--skip-column-names', `--database=${database}`, '-e', sql,
  ],
  dump: (t: MariadbTools, optionFlag: string, database: string): string[] => [
    t.dump, optionFlag, '--single-transaction', '--routines', '--triggers', '--hex-blob', '--quick',
    '--no-tablespaces', '--default-character-set=utf8mb4', '--skip-dump-date', checkedName(database),
  ],
  restore: (t: MariadbTools, optionFlag: string, database: string): string[] => [
    t.client, optionFlag, '--default-character-set=utf8mb4', `--database=${database}`,
  ],
};

export class MariadbEngine implements DatabaseEngine {
  readonly family = 'mariadb' as const;
  readonly extension = 'sql';

  constructor(readonly tools: MariadbTools = { client: 'mariadb', dump: 'mariadb-dump' }) {}

  async toolVersion(): Promise<string> {
    return (await runTool([this.tools.dump, '--version'])).trim();
  }

  async query(conn: DatabaseConnection, sql: string): Promise<(string | null)[][]> {
    return this.#withOptions(conn, async (opt) => {
      const out = await runTool(mariadbArgv.query(this.tools, opt.flag, conn.database, sql), secrets(conn));
      if (out === '') return [];
      return out
        .replace(/\n$/, '')
        .split('\n')
        .map((row) => row.split('\t').map((v) => (v === 'NULL' ? null : unescapeBatch(v))));
    });
  }

  /**
   * Exact count(*) of every base table in one consistent-snapshot transaction. MariaDB cannot
   * share a snapshot with mariadb-dump, so the counts are taken just before the dump starts:
   * writes in between would show as a count mismatch in the restore drill (never as a pass).
   */
  async rowCounts(conn: DatabaseConnection): Promise<RowCounts> {
    const tables = await this.query(
      conn,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY 1",
    );
    const names = tables.map((r) => r[0]).filter((n): n is string => !!n);
    if (names.length === 0) return {};
    const union = names.map((n) => `SELECT ${quoteString(n)}, COUNT(*) FROM ${quoteIdent(n)}`).join(' UNION ALL ');
    const rows = await this.query(conn, `START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY; ${union}; COMMIT;`);
    const counts: RowCounts = {};
    for (const [t, n] of rows) if (t) counts[t] = Number(n);
    return counts;
  }

  async createDatabase(conn: DatabaseConnection, name: string): Promise<void> {
    await this.query(conn, `CREATE DATABASE ${quoteIdent(name)} CHARACTER SET utf8mb4`);
  }

  async dropDatabase(conn: DatabaseConnection, name: string): Promise<void> {
    await this.query(conn, `DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
  }

  async startDump(conn: DatabaseConnection, o: EngineCallOptions = {}): Promise<DumpSession> {
    const rowCounts = await this.rowCounts(conn);
    const opt = await writeOptionFile(conn);
    let tool;
    try {
      tool = startTool(mariadbArgv.dump(this.tools, opt.flag, conn.database), { ...secrets(conn), onStderr: o.onStderr });
    } catch (err) {
      await opt.remove();
      throw err;
    }
    tool.stdin.end();
    const finished = tool.exited.finally(() => opt.remove());
    finished.catch(() => {});
    return { stdout: tool.stdout, rowCounts, finished, abort: () => tool.kill() };
  }

  async restore(conn: DatabaseConnection, input: Readable, o: EngineCallOptions = {}): Promise<void> {
    await this.#withOptions(conn, async (opt) => {
      const tool = startTool(mariadbArgv.restore(this.tools, opt.flag, conn.database), { ...secrets(conn), onStderr: o.onStderr });
      await feedTool(tool, input);
    });
  }

  async #withOptions<T>(conn: DatabaseConnection, fn: (opt: OptionFile) => Promise<T>): Promise<T> {
    const opt = await writeOptionFile(conn);
    try {
      return await fn(opt);
    } finally {
      await opt.remove();
    }
  }
}

function secrets(conn: DatabaseConnection) {
  return { secrets: conn.password ? [conn.password.reveal()] : [] };
}

function checkedName(database: string): string {
  if (database.startsWith('-')) throw new InvalidInputError(`database name "${database}" must not start with "-"`);
  return database;
}

export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

function quoteString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function unescapeBatch(v: string): string {
  return v.replace(/\\([tn0\\])/g, (_, c: string) => ({ t: '\t', n: '\n', '0': '\0', '\\': '\\' })[c] ?? c);
}
