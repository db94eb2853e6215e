// Backups as the control plane offers them: taken before migrations (the pipeline calls
// `beforeMigration`), on demand and on a schedule; listed; drilled (restored into a scratch
// database and checked); pruned by retention. Connection URLs stay Sensitive; their passwords
// are taught to the redactor before any tool runs.
import { randomBytes } from 'node:crypto';
import { createBackup } from '../backups/create-backup.js';
import type { BackupRecord, DrillVerdict } from '../backups/backup-record.js';
import { parseDatabaseUrl } from '../backups/database-connection.js';
import type { DatabaseKind } from '../backups/database-spec.js';
import { pruneBackups } from '../backups/prune-backups.js';
import { restoreDrill } from '../backups/restore-drill.js';
import { parseAppSpec } from '../core/config-file.js';
import type { AppSpec } from '../core/app-spec.js';
import { NotFoundError, PreconditionError } from '../core/errors.js';
import type { App, Backup, BackupReason, Environment } from '../core/model.js';
import type { AppsAndEnvironments } from '../core/ports/store/apps-and-environments.js';
import type { BackupRecords } from '../core/ports/store/backups.js';
import type { Releases } from '../core/ports/store/releases.js';
import type { Redactor } from '../core/redactor.js';
import type { Sensitive } from '../core/sensitive.js';
import type { MigrationBackups } from '../pipeline/migration-backups.js';
import type { Logger } from '../platform/logger.js';
import type { Actor } from './actor.js';
import type { AppService } from './app-service.js';
import type { AuditTrail } from './audit-trail.js';
import { progressReporter } from './backup-progress.js';
import { closeTarget, databaseAccess, databasesOf, type DatabaseAccess, type DatabaseAccessDeps } from './database-access.js';

export interface BackupServiceOptions {
  store: AppsAndEnvironments & Releases & BackupRecords;
  apps: AppService;
  audit: AuditTrail;
  access: DatabaseAccessDeps;
  redactor: Redactor;
  logger: Logger;
  /** Encrypts backups of databases with `encrypt: true`. */
  masterKey?: Sensitive;
}

export interface TakeInput {
  app: App;
  environment: Environment;
  spec: AppSpec;
  database: string;
  reason: BackupReason;
  releaseId?: string | null;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface MigrationBackupInput {
  app: App;
  environment: Environment;
  spec: AppSpec;
  releaseId: string;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export class BackupService implements MigrationBackups {
  constructor(private readonly o: BackupServiceOptions) {}

  /** The app spec that describes an environment's databases now: the live release's, else the newest release's. */
  async specFor(env: Environment): Promise<AppSpec> {
    const live = await this.o.store.liveRelease(env.id);
    const release = live ?? (await this.o.store.listReleases(env.id, 1))[0];
    const text = release && (await this.o.store.getRelease(release.id))?.spec['text'];
    if (typeof text !== 'string') throw new PreconditionError(`${env.name} has no release yet, so its databases are unknown; deploy it first`);
    return parseAppSpec(text, `slipway.yml of release ${release!.id}`);
  }

  async access(spec: AppSpec, app: App, env: Environment, database: string): Promise<DatabaseAccess> {
    const access = await databaseAccess(this.o.access, spec, app, env, database);
    const password = parseDatabaseUrl(access.url, access.spec.kind).password;
    if (password) this.o.redactor.add(password.reveal());
    this.o.redactor.add(access.url.reveal());
    return access;
  }

  /** Takes, uploads and read-back-verifies one backup, and records it. Throws when any of that fails. */
  async take(input: TakeInput): Promise<Backup> {
    const { app, environment: env } = input;
    const log = input.log ?? ((line: string) => this.o.logger.info({ app: app.name, env: env.name, database: input.database }, line));
    const access = await this.access(input.spec, app, env, input.database);
    const target = await access.openTarget();
    try {
      log(`backing up database "${input.database}" (${access.spec.kind}) to ${target.location}`);
      const record = await createBackup({
        database: input.database,
        kind: access.spec.kind,
        url: access.url,
        target,
        ...(access.spec.encrypt ? { masterKey: this.requireMasterKey() } : {}),
        id: `bk_${randomBytes(8).toString('hex')}`,
        onProgress: progressReporter(log, `backup of "${input.database}"`).onProgress,
        onLog: (line) => log(`${input.database}: ${line}`),
        ...(input.signal ? { signal: input.signal } : {}),
      });
      const backup = await this.o.store.addBackup({
        id: record.id,
        appId: app.id,
        environmentId: env.id,
        database: record.database,
        kind: record.kind,
        target: access.targetSpec.name,
        location: record.target,
        key: record.key,
        sha256: record.sha256,
        size: record.size,
        rowCounts: record.rowCounts,
        encrypted: record.encrypted,
        tool: record.tool,
        reason: input.reason,
        status: 'created',
        verdict: null,
        releaseId: input.releaseId ?? null,
        createdAt: record.startedAt,
      });
      log(`backup ${backup.id} stored and read back: ${backup.size} bytes, sha256 ${backup.sha256}, ${Object.keys(backup.rowCounts).length} table(s)`);
      return backup;
    } finally {
      closeTarget(target);
    }
  }

  /**
   * Before a release phase: one backup of every database of the environment, linked to the
   * release, each restored into a scratch database and checked (unless the database opts out
   * with drill_before_migration: false). Throws when any backup or drill fails, so the
   * migration never runs without a backup known to restore.
   */
  async beforeMigration(input: MigrationBackupInput): Promise<Backup[]> {
    const out: Backup[] = [];
    for (const db of databasesOf(input.spec, input.environment)) {
      const backup = await this.take({ ...input, database: db.name, reason: 'pre-migration' });
      if (!db.drill_before_migration) {
        input.log(`backup ${backup.id}: drill_before_migration is off for "${db.name}", so it was not restored before the migration`);
        out.push(backup);
        continue;
      }
      input.log(`restore drill of ${backup.id}: restoring into a scratch database and checking it before the migration`);
      const drilled = await this.drill(backup, { app: input.app, env: input.environment, spec: input.spec, log: input.log, ...(input.signal ? { signal: input.signal } : {}) });
      input.signal?.throwIfAborted();
      const reasons = verdictReasons(drilled);
      if (drilled.status !== 'verified') {
        throw new PreconditionError(`the pre-migration backup ${backup.id} of "${db.name}" failed its restore drill, so the migration did not run: ${reasons.join('; ')}`, {
          backup: backup.id,
          reasons,
        });
      }
      input.log(`restore drill of ${backup.id} passed: ${Object.keys(drilled.rowCounts).length} table(s), row counts match`);
      out.push(drilled);
    }
    return out;
  }

  async list(input: { app: string; env: string; database?: string }): Promise<Backup[]> {
    const app = await this.o.apps.require(input.app);
    const env = await this.o.apps.environment(app, input.env);
    return this.o.store.listBackups({ environmentId: env.id, ...(input.database ? { database: input.database } : {}) });
  }

  async get(id: string): Promise<Backup> {
    const b = await this.o.store.getBackup(id);
    if (!b) throw new NotFoundError('backup', id);
    return b;
  }

  /** `slipway backups create`: every database of the environment, or the one named. */
  async create(actor: Actor, input: { app: string; env: string; database?: string; reason?: BackupReason }, log?: (line: string) => void): Promise<Backup[]> {
    return this.o.audit.record(actor, 'backup.create', `${input.app}/${input.env}${input.database ? `/${input.database}` : ''}`, {}, async () => {
      const app = await this.o.apps.require(input.app);
      const env = await this.o.apps.environment(app, input.env);
      const spec = await this.specFor(env);
      const names = input.database ? [input.database] : databasesOf(spec, env).map((d) => d.name);
      if (names.length === 0) throw new PreconditionError(`${app.name}/${env.name} has no databases: in slipway.yml`);
      const out: Backup[] = [];
      for (const database of names) out.push(await this.take({ app, environment: env, spec, database, reason: input.reason ?? 'manual', ...(log ? { log } : {}) }));
      return out;
    });
  }

  /** A restore drill: restore into a scratch database, run the verification queries, compare row counts; the verdict is recorded. */
  async verify(actor: Actor, id: string, log?: (line: string) => void): Promise<Backup> {
    return this.o.audit.record(actor, 'backup.verify', id, {}, async () => {
      const backup = await this.get(id);
      const { app, env } = await this.owner(backup);
      return this.drill(backup, { app, env, spec: await this.specFor(env), ...(log ? { log } : {}) });
    });
  }

  /** Runs one drill and records its verdict (a cancelled drill records nothing). */
  private async drill(backup: Backup, c: { app: App; env: Environment; spec: AppSpec; log?: (line: string) => void; signal?: AbortSignal }): Promise<Backup> {
    const access = await this.access(c.spec, c.app, c.env, backup.database);
    const target = await access.openTarget();
    try {
      const verdict = await restoreDrill({
        record: toRecord(backup),
        target,
        url: access.url,
        verify: access.spec.verify,
        ...(backup.encrypted ? { masterKey: this.requireMasterKey() } : {}),
        ...(c.log ? { onLog: c.log } : {}),
        ...(c.signal ? { signal: c.signal } : {}),
      });
      c.signal?.throwIfAborted();
      await this.o.store.updateBackup(backup.id, {
        status: verdict.ok ? 'verified' : 'failed',
        verdict: { ...verdict },
        ...(verdict.ok ? { verifiedAt: verdict.finishedAt } : {}),
      });
      const where = { backup: backup.id, app: c.app.name, env: c.env.name };
      if (verdict.ok) this.o.logger.info(where, 'restore drill passed');
      else this.o.logger.error({ ...where, reasons: verdict.reasons }, 'RESTORE DRILL FAILED');
      return this.get(backup.id);
    } finally {
      closeTarget(target);
    }
  }

  /** Applies the database's retention policy; never deletes the newest verified backup. */
  async prune(app: App, env: Environment, spec: AppSpec, database: string): Promise<{ deleted: string[]; failed: { id: string; reason: string }[] }> {
    const access = await this.access(spec, app, env, database);
    const target = await access.openTarget();
    try {
      const all = (await this.o.store.listBackups({ environmentId: env.id, database })).filter((b) => b.target === access.targetSpec.name);
      const result = await pruneBackups(
        target,
        all.map((b) => ({ record: toRecord(b), lastDrill: b.verdict ? ({ ...b.verdict, ok: b.status === 'verified' } as unknown as DrillVerdict) : null })),
        access.spec.retention,
      );
      for (const id of result.deleted) await this.o.store.deleteBackup(id);
      return { deleted: result.deleted, failed: result.failed };
    } finally {
      closeTarget(target);
    }
  }

  async owner(backup: Backup): Promise<{ app: App; env: Environment }> {
    const app = await this.o.store.getApp(backup.appId);
    const env = await this.o.store.getEnvironmentById(backup.environmentId);
    if (!app || !env) throw new NotFoundError('environment of backup', backup.id);
    return { app, env };
  }

  requireMasterKey(): Sensitive {
    if (!this.o.masterKey) throw new PreconditionError('encrypted backups need the control plane master key, which is not loaded');
    return this.o.masterKey;
  }
}

/** Why the last drill of a backup failed (empty when it passed or never ran). */
export function verdictReasons(b: Backup): string[] {
  const reasons = b.verdict?.['reasons'];
  return Array.isArray(reasons) ? reasons.map(String) : [];
}

/** The adapters' view of a stored backup. */
export function toRecord(b: Backup): BackupRecord {
  return {
    id: b.id,
    database: b.database,
    kind: b.kind as DatabaseKind,
    target: b.location,
    key: b.key,
    size: b.size,
    sha256: b.sha256,
    encrypted: b.encrypted,
    rowCounts: b.rowCounts,
    tool: b.tool,
    startedAt: b.createdAt,
    finishedAt: b.createdAt,
    uploadVerified: true,
  };
}
