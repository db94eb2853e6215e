// Applies migrations/NNN-*.json to data/db.json exactly once each, in order, and records them.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const dbFile = 'data/db.json';
mkdirSync('data', { recursive: true });
const db = existsSync(dbFile) ? JSON.parse(readFileSync(dbFile, 'utf8')) : { applied: [], tables: {} };

const pending = readdirSync('migrations')
  .filter((f) => /^\d{3}-.+\.json$/.test(f) && !db.applied.includes(f))
  .sort();

for (const name of pending) {
  const migration = JSON.parse(readFileSync(`migrations/${name}`, 'utf8'));
  for (const table of migration.create ?? []) db.tables[table] ??= [];
  for (const [table, rows] of Object.entries(migration.insert ?? {})) db.tables[table].push(...rows);
  db.applied.push(name);
  const tmp = `${dbFile}.tmp`;
  writeFileSync(tmp, JSON.stringify(db, null, 2));
  renameSync(tmp, dbFile);
  console.log(`applied ${name}`);
}
console.log(pending.length ? `${pending.length} migration(s) applied` : 'database is up to date');
