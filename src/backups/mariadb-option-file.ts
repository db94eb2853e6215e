// The MariaDB tools read the password from a 0600 option file (--defaults-extra-file), which
// lives in a private 0700 temp dir only while the tool runs. Never argv, never MYSQL_PWD.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseConnection } from './database-connection.js';

export interface OptionFile {
  path: string;
  /** The argv flag; it must be the tool's first argument. */
  flag: string;
  remove(): Promise<void>;
}

/** The [client] section for a connection (pure). */
export function optionFileText(conn: DatabaseConnection): string {
  const lines = ['[client]', `user=${quote(conn.user)}`];
  if (conn.password) lines.push(`password=${quote(conn.password.reveal())}`);
  if (conn.socket) lines.push(`socket=${quote(conn.socket)}`);
  else {
    lines.push(`host=${quote(conn.host ?? '127.0.0.1')}`, 'protocol=TCP');
    if (conn.port !== undefined) lines.push(`port=${conn.port}`);
  }
  return lines.join('\n') + '\n';
}

export async function writeOptionFile(conn: DatabaseConnection): Promise<OptionFile> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-my-'));
  const file = path.join(dir, 'client.cnf');
  await writeFile(file, optionFileText(conn), { mode: 0o600, flag: 'wx' });
  return {
    path: file,
    flag: `--defaults-extra-file=${file}`,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Option-file values in double quotes; the MariaDB option parser unescapes \\ and \". */
function quote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
