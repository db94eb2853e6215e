// Private PostgreSQL and MariaDB servers for tests, started with scripts/databases-up.sh into a
// fresh directory and stopped by pid file with scripts/databases-down.sh. When the server
// packages are missing, startDatabases returns undefined (the caller skips), except under
// CI=true where it throws: CI must not pass by skipping.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from './entry.js';

const exec = promisify(execFile);

export interface TestDatabases {
  dir: string;
  postgres: { url: string; password: string; port: number };
  mariadb: { url: string; password: string; port: number };
  stop(): Promise<void>;
}

export function databaseServersInstalled(): { ok: boolean; missing: string[] } {
  const missing: string[] = [];
  const pgRoot = '/usr/lib/postgresql';
  const hasPg = existsSync(pgRoot) && readdirSync(pgRoot).some((v) => existsSync(path.join(pgRoot, v, 'bin', 'initdb')));
  if (!hasPg) missing.push('postgresql');
  if (!existsSync('/usr/sbin/mariadbd') && !existsSync('/usr/bin/mariadbd')) missing.push('mariadb-server');
  for (const tool of ['pg_dump', 'pg_restore', 'psql', 'mariadb', 'mariadb-dump']) {
    if (!['/usr/bin', '/usr/local/bin'].some((d) => existsSync(path.join(d, tool)))) missing.push(tool);
  }
  return { ok: missing.length === 0, missing };
}

export async function startDatabases(): Promise<TestDatabases | undefined> {
  const check = databaseServersInstalled();
  if (!check.ok) {
    if (process.env.CI === 'true') {
      throw new Error(`database servers missing (${check.missing.join(', ')}): apt-get install -y postgresql mariadb-server`);
    }
    return undefined;
  }
  // Not mkdtemp: its 0700 mode would keep the postgres and mysql users out when run as root.
  const dir = path.join('/tmp', `slipway-test-dbs-${process.pid}-${Date.now().toString(36)}`);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const up = path.join(projectRoot, 'scripts', 'databases-up.sh');
  const down = path.join(projectRoot, 'scripts', 'databases-down.sh');
  const stop = async () => {
    await exec('bash', [down, dir, '--purge'], { timeout: 60_000 });
  };
  try {
    await exec('bash', [up, dir], { timeout: 120_000 });
    const env = Object.fromEntries(
      (await readFile(path.join(dir, 'databases.env'), 'utf8'))
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    ) as Record<string, string>;
    const get = (k: string) => {
      const v = env[k];
      if (v === undefined) throw new Error(`databases.env lacks ${k}`);
      return v;
    };
    return {
      dir,
      postgres: { url: get('SLIPWAY_TEST_PG_URL'), password: get('SLIPWAY_TEST_PG_PASSWORD'), port: Number(get('SLIPWAY_TEST_PG_PORT')) },
      mariadb: {
        url: get('SLIPWAY_TEST_MARIADB_URL'),
        password: get('SLIPWAY_TEST_MARIADB_PASSWORD'),
        port: Number(get('SLIPWAY_TEST_MARIADB_PORT')),
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}
