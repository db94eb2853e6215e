// Shared setup of the end-to-end backup tests: a seeded application database and a canary user.
import { readdirSync, readFileSync } from 'node:fs';
import { parseDatabaseUrl, withDatabase, type DatabaseConnection } from '../../src/backups/database-connection.js';
import type { DatabaseEngine } from '../../src/backups/database-engine.js';
import type { DatabaseKind } from '../../src/backups/database-spec.js';
import { Sensitive } from '../../src/core/sensitive.js';

export const CANARY_PASSWORD = 'canary-Pw-7f3a9c1e-do-not-leak';

export function adminConn(url: string, kind: DatabaseKind): DatabaseConnection {
  return parseDatabaseUrl(new Sensitive(url), kind);
}

/** A URL for `user` with the canary password on the same server, database `db`. */
export function canaryUrl(adminUrl: string, scheme: string, user: string, db: string): Sensitive {
  const u = new URL(adminUrl);
  return new Sensitive(`${scheme}://${user}:${encodeURIComponent(CANARY_PASSWORD)}@${u.host}/${db}`);
}

export async function seedPostgres(engine: DatabaseEngine, admin: DatabaseConnection, db: string, users = 500): Promise<void> {
  await engine.query(admin, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await engine.query(admin, `CREATE DATABASE "${db}"`);
  const c = withDatabase(admin, db);
  await engine.query(
    c,
    `CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, note text);
     CREATE TABLE orders (id serial PRIMARY KEY, user_id int REFERENCES users(id), total numeric(10,2));
     CREATE TABLE empty_table (id int);
     CREATE SCHEMA billing; CREATE TABLE billing.invoices (id int PRIMARY KEY, body text);
     INSERT INTO users (email, note) SELECT 'u' || g || '@example.test', repeat(md5(g::text), 4) FROM generate_series(1, ${users}) g;
     INSERT INTO orders (user_id, total) SELECT 1 + (g % ${users}), g * 1.5 FROM generate_series(1, ${users * 3}) g;
     INSERT INTO billing.invoices SELECT g, 'invoice ' || g FROM generate_series(1, 42) g;`,
  );
}

export async function seedMariadb(engine: DatabaseEngine, admin: DatabaseConnection, db: string, users = 500): Promise<void> {
  await engine.query(admin, `DROP DATABASE IF EXISTS \`${db}\``);
  await engine.query(admin, `CREATE DATABASE \`${db}\``);
  const c = withDatabase(admin, db);
  await engine.query(
    c,
    `CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200) NOT NULL, note TEXT) ENGINE=InnoDB;
     CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT, total DECIMAL(10,2)) ENGINE=InnoDB;
     CREATE TABLE empty_table (id INT) ENGINE=InnoDB;
     INSERT INTO users (email, note) SELECT CONCAT('u', seq, '@example.test'), REPEAT(MD5(seq), 4) FROM seq_1_to_${users};
     INSERT INTO orders (user_id, total) SELECT 1 + (seq % ${users}), seq * 1.5 FROM seq_1_to_${users * 3};
     CREATE PROCEDURE user_count() SELECT COUNT(*) FROM users;`,
  );
}

/** Polls every process's argv until `stop` resolves; returns every command line seen. */
export async function watchCommandLines(stop: Promise<unknown>): Promise<string[]> {
  const seen = new Set<string>();
  let done = false;
  void stop.finally(() => (done = true)).catch(() => {});
  while (!done) {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
        if (cmd) seen.add(cmd);
      } catch {
        // the process ended meanwhile
      }
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return [...seen];
}
