// The engine that handles a database kind.
import { engineFamily, type DatabaseKind } from './database-spec.js';
import type { DatabaseEngine } from './database-engine.js';
import { MariadbEngine } from './mariadb-engine.js';
import { PostgresEngine } from './postgres-engine.js';

export function engineFor(kind: DatabaseKind): DatabaseEngine {
  return engineFamily(kind) === 'postgres' ? new PostgresEngine() : new MariadbEngine();
}
