// What backups and restore drills need from a database server, one implementation per family.
import type { Readable } from 'node:stream';
import type { DatabaseConnection } from './database-connection.js';

/** Exact row counts per table ("schema.table" for PostgreSQL, "table" for MariaDB). */
export type RowCounts = Record<string, number>;

export interface DumpSession {
  /** The dump's bytes, to be consumed exactly once. */
  stdout: Readable;
  /** Row counts taken for this dump (PostgreSQL: in the dump's own snapshot). */
  rowCounts: RowCounts;
  /** Resolves when the dump tool exited 0 and the snapshot was released; rejects otherwise. */
  finished: Promise<void>;
  /** Kills the dump (and its snapshot session); `finished` then rejects. */
  abort(): void;
}

export interface EngineCallOptions {
  onStderr?: (line: string) => void;
}

export interface DatabaseEngine {
  readonly family: 'postgres' | 'mariadb';
  /** File extension of the dump format ("pgdump": pg_dump custom format, "sql": mariadb-dump). */
  readonly extension: string;
  /** The dump tool and its version, recorded with each backup. */
  toolVersion(): Promise<string>;
  startDump(conn: DatabaseConnection, opts?: EngineCallOptions): Promise<DumpSession>;
  /** Restores a dump read from `input` into `conn.database`, which must exist. Rejects on any tool error. */
  restore(conn: DatabaseConnection, input: Readable, opts?: EngineCallOptions): Promise<void>;
  /** Rows of a query as strings (NULL as null). */
  query(conn: DatabaseConnection, sql: string): Promise<(string | null)[][]>;
  rowCounts(conn: DatabaseConnection): Promise<RowCounts>;
  createDatabase(conn: DatabaseConnection, name: string): Promise<void>;
  dropDatabase(conn: DatabaseConnection, name: string): Promise<void>;
}
