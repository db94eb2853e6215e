// The two operations that overwrite a live database, each behind a typed confirmation and a
// safety backup taken first: restoring a backup into an environment, and wiping a database
// back to empty (re-initialisation). Neither is ever driven by a configuration flag.
import { engineFor } from '../backups/engine-for.js';
import type { RestoreOutcome } from '../core/wire/backups.js';
import { parseDatabaseUrl, withDatabase, type DatabaseConnection } from '../backups/database-connection.js';
import { engineFamily, type DatabaseKind } from '../backups/database-spec.js';
import { restoreBackup } from '../backups/restore-backup.js';
import { InvalidInputError, PreconditionError } from '../core/errors.js';
import type { App, Backup, Environment } from '../core/model.js';
import type { Sensitive } from '../core/sensitive.js';
import type { Actor } from './actor.js';
import type { AppService } from './app-service.js';
import type { AuditTrail } from './audit-trail.js';
import { closeTarget } from './database-access.js';
import { withEnvironmentHeld } from './environment-hold.js';
import type { Locks } from '../core/ports/store/locks.js';
import { toRecord, type BackupService } from './backup-service.js';

export class DatabaseRecoveryService {
  constructor(
    private readonly backups: BackupService,
    private readonly apps: AppService,
    private readonly audit: AuditTrail,
    private readonly store: Locks,
  ) {}

  /** Restores backup `id` into the database of the same name in `to`; `confirm` must be "<app>/<env>". */
  async restore(actor: Actor, id: string, input: { to: { app: string; env: string }; confirm: string }, log?: (line: string) => void): Promise<RestoreOutcome> {
    const expected = `${input.to.app}/${input.to.env}`;
    return this.audit.record(actor, 'backup.restore', `${id} -> ${expected}`, {}, async () => {
      if (input.confirm !== expected) {
        throw new InvalidInputError(`restoring overwrites the database of ${expected}; confirm with --confirm ${expected} (got ${JSON.stringify(input.confirm)})`);
      }
      const backup = await this.backups.get(id);
      const { app, env } = await this.target(input.to);
      const spec = await this.backups.specFor(env);
      const access = await this.backups.access(spec, app, env, backup.database);
      if (engineFamily(access.spec.kind) !== engineFamily(backup.kind as DatabaseKind)) {
        throw new PreconditionError(`backup ${id} is of a ${backup.kind} database; "${backup.database}" of ${expected} is ${access.spec.kind}`);
      }
      return withEnvironmentHeld(this.store, env, 'restore', `restoring backup ${id}`, async () => {
        log?.(`taking a safety backup of "${backup.database}" before it is overwritten`);
        const safety = await this.backups.take({ app, environment: env, spec, database: backup.database, reason: 'safety', ...(log ? { log } : {}) });
        log?.(`restoring backup ${id} into "${backup.database}" of ${expected}`);
        await recreate(access.url, access.spec.kind);
        const source = await this.sourceTarget(backup);
        try {
          const { rowCounts } = await restoreBackup({
            record: toRecord(backup),
            target: source,
            url: access.url,
            ...(backup.encrypted ? { masterKey: this.backups.requireMasterKey() } : {}),
            ...(log ? { onLog: log } : {}),
          });
          log?.(`restored backup ${id}: ${Object.keys(rowCounts).length} table(s)`);
          return { restored: backup, safety, rowCounts };
        } finally {
          closeTarget(source);
        }
      });
    });
  }

  /** Drops and recreates a database, empty; `confirm` must be "<app>/<env>/<database>". A safety backup comes first. */
  async reinitialize(actor: Actor, input: { app: string; env: string; database: string; confirm: string }, log?: (line: string) => void): Promise<{ safety: Backup }> {
    const expected = `${input.app}/${input.env}/${input.database}`;
    return this.audit.record(actor, 'database.reinitialize', expected, {}, async () => {
      if (input.confirm !== expected) {
        throw new InvalidInputError(`re-initialising deletes every row of ${expected}; confirm with --confirm ${expected} (got ${JSON.stringify(input.confirm)})`);
      }
      const { app, env } = await this.target(input);
      const spec = await this.backups.specFor(env);
      const access = await this.backups.access(spec, app, env, input.database);
      return withEnvironmentHeld(this.store, env, 'reinitialize', `re-initialising database ${input.database}`, async () => {
        log?.(`taking a safety backup of "${input.database}" before it is wiped`);
        const safety = await this.backups.take({ app, environment: env, spec, database: input.database, reason: 'safety', ...(log ? { log } : {}) });
        await recreate(access.url, access.spec.kind);
        log?.(`"${input.database}" of ${input.app}/${input.env} is empty again`);
        return { safety };
      });
    });
  }

  private async target(to: { app: string; env: string }): Promise<{ app: App; env: Environment }> {
    const app = await this.apps.require(to.app);
    return { app, env: await this.apps.environment(app, to.env) };
  }

  /** The target the backup was stored on, resolved through its own environment's spec and secrets. */
  private async sourceTarget(backup: Backup) {
    const { app, env } = await this.backups.owner(backup);
    const spec = await this.backups.specFor(env);
    const access = await this.backups.access(spec, app, env, backup.database);
    return access.openTarget();
  }
}

/** Drops the database and creates it again, empty (connected to another database of the server). */
async function recreate(url: Sensitive, kind: DatabaseKind): Promise<void> {
  const engine = engineFor(kind);
  const conn = parseDatabaseUrl(url, kind);
  const admin: DatabaseConnection = conn.family === 'postgres' ? withDatabase(conn, 'postgres') : conn;
  await engine.dropDatabase(admin, conn.database);
  // MariaDB: the dropped database cannot be the session's default any more; information_schema
  // is readable by every user (unlike the mysql system database).
  await engine.createDatabase(conn.family === 'postgres' ? admin : withDatabase(conn, 'information_schema'), conn.database);
}
