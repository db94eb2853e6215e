// Everything a backup needs about one database of an environment: its spec (from the app spec of
// the release at hand), its connection URL (decrypted from the named Slipway secret) and its target.
import { createTarget } from '../backups/target-spec.js';
import type { BackupTarget } from '../backups/backup-target.js';
import type { AppSpec } from '../core/app-spec.js';
import type { TargetSpec } from '../core/backup-target-spec.js';
import type { DatabaseSpec } from '../core/database-spec.js';
import { NotFoundError, PreconditionError } from '../core/errors.js';
import type { App, Environment } from '../core/model.js';
import type { Sensitive } from '../core/sensitive.js';

export interface DatabaseAccess {
  spec: DatabaseSpec;
  targetSpec: TargetSpec;
  url: Sensitive;
  /** Opens the target (S3 credentials are resolved here); the caller closes it with `release`. */
  openTarget(): Promise<BackupTarget>;
}

export interface DatabaseAccessDeps {
  dataDir: string;
  secrets(appId: string, environmentId: string): Promise<Record<string, Sensitive>>;
}

export function databasesOf(spec: AppSpec, env: Environment): DatabaseSpec[] {
  return spec.environments[env.name]?.databases ?? [];
}

export function targetSpecOf(spec: AppSpec, name: string): TargetSpec {
  const found = spec.backup_targets.find((t) => t.name === name);
  if (found) return found;
  if (name === 'local') return { name: 'local', kind: 'local' };
  throw new PreconditionError(`no backup target named "${name}"; define it under backup_targets in slipway.yml`);
}

export async function databaseAccess(deps: DatabaseAccessDeps, spec: AppSpec, app: App, env: Environment, database: string): Promise<DatabaseAccess> {
  const db = databasesOf(spec, env).find((d) => d.name === database);
  if (!db) throw new NotFoundError(`database of ${app.name}/${env.name} (see databases: in slipway.yml)`, database);
  const secrets = await deps.secrets(app.id, env.id);
  const url = secrets[db.url_secret];
  if (!url) {
    throw new PreconditionError(
      `database "${db.name}" of ${app.name}/${env.name} reads its URL from the secret ${db.url_secret}, which is not set; set it with: slipway secrets set ${app.name} ${db.url_secret} --env ${env.name}`,
    );
  }
  const targetSpec = targetSpecOf(spec, db.target);
  return {
    spec: db,
    targetSpec,
    url,
    openTarget: () => createTarget(targetSpec, { dataDir: deps.dataDir, resolveSecret: async (name) => secrets[name] }),
  };
}

/** S3 targets hold sockets; local ones nothing. */
export function closeTarget(target: BackupTarget): void {
  const t = target as BackupTarget & { destroy?: () => void };
  t.destroy?.();
}
