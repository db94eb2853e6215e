// A database connection parsed from its URL. The password stays Sensitive; it is handed to
// the tools through the environment or a 0600 option file, never through argv.
import { InvalidInputError } from '../core/errors.js';
import { Sensitive } from '../core/sensitive.js';
import { engineFamily, type DatabaseKind } from './database-spec.js';

export interface DatabaseConnection {
  family: 'postgres' | 'mariadb';
  /** TCP host, or undefined when `socket` is used. */
  host: string | undefined;
  port: number | undefined;
  /** PostgreSQL: the socket directory; MariaDB: the socket file. */
  socket: string | undefined;
  user: string;
  password: Sensitive | undefined;
  database: string;
}

const SCHEMES: Record<'postgres' | 'mariadb', string[]> = {
  postgres: ['postgres:', 'postgresql:'],
  mariadb: ['mysql:', 'mariadb:'],
};

/**
 * Parses `postgres://user:pass@host:port/db` (or `?host=/socket/dir`) and
 * `mysql://user:pass@host:port/db` / `mariadb://...` (or `?socket=/path/to.sock`).
 */
export function parseDatabaseUrl(url: Sensitive, kind: DatabaseKind): DatabaseConnection {
  const family = engineFamily(kind);
  let u: URL;
  try {
    u = new URL(url.reveal());
  } catch {
    // Never echo the URL: it holds the password.
    throw new InvalidInputError(`the ${kind} connection URL is not a valid URL; expected ${example(family)}`);
  }
  if (!SCHEMES[family].includes(u.protocol)) {
    throw new InvalidInputError(
      `the ${kind} connection URL has scheme "${u.protocol}"; expected ${SCHEMES[family].join(' or ')} as in ${example(family)}`,
    );
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) throw new InvalidInputError(`the ${kind} connection URL names no database; expected ${example(family)}`);
  const user = decodeURIComponent(u.username) || (family === 'postgres' ? 'postgres' : 'root');
  const password = u.password ? new Sensitive(decodeURIComponent(u.password)) : undefined;
  const socket = u.searchParams.get(family === 'postgres' ? 'host' : 'socket') ?? undefined;
  return {
    family,
    host: socket ? undefined : u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : undefined,
    socket,
    user,
    password,
    database,
  };
}

/** The same server, another database (scratch databases of restore drills). */
export function withDatabase(conn: DatabaseConnection, database: string): DatabaseConnection {
  return { ...conn, database };
}

function example(family: 'postgres' | 'mariadb'): string {
  return family === 'postgres' ? 'postgres://user:password@host:5432/dbname' : 'mysql://user:password@host:3306/dbname';
}
