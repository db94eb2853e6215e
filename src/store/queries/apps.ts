// Apps and their environments.
import type { Kysely, Selectable } from 'kysely';
import { ConflictError, InvalidInputError, NotFoundError } from '../../core/errors.js';
import type { App, Environment } from '../../core/model.js';
import type { Clock } from '../../platform/clock.js';
import { newId } from '../ids.js';
import type { AppsTable, Database, EnvironmentsTable } from '../schema.js';

export interface EnvironmentInput {
  name: string;
  branch: string | null;
}

export function toApp(r: Selectable<AppsTable>): App {
  return { id: r.id, name: r.name, repo: r.repo, driver: r.driver, createdAt: r.created_at };
}

export function toEnvironment(r: Selectable<EnvironmentsTable>): Environment {
  return { id: r.id, appId: r.app_id, name: r.name, branch: r.branch, createdAt: r.created_at };
}

export async function createApp(
  db: Kysely<Database>,
  clock: Clock,
  app: Omit<App, 'id' | 'createdAt'>,
  environments: EnvironmentInput[],
): Promise<App> {
  checkUniqueNames(environments);
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('apps').select('id').where('name', '=', app.name).executeTakeFirst();
    if (existing) {
      throw new ConflictError(`an app named "${app.name}" already exists (${existing.id}); choose another name`, {
        name: app.name,
      });
    }
    const now = clock.now();
    const row = { id: newId('app', now.getTime()), name: app.name, repo: app.repo, driver: app.driver, created_at: now.toISOString() };
    await trx.insertInto('apps').values(row).execute();
    await insertEnvironments(trx, clock, row.id, environments);
    return toApp(row);
  });
}

export async function getApp(db: Kysely<Database>, idOrName: string): Promise<App | null> {
  const row = await db
    .selectFrom('apps')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
  return row ? toApp(row) : null;
}

export async function listApps(db: Kysely<Database>): Promise<App[]> {
  const rows = await db.selectFrom('apps').selectAll().orderBy('name').execute();
  return rows.map(toApp);
}

/** Adds missing environments and updates the branch of existing ones; returns all of the app's environments. */
export async function ensureEnvironments(
  db: Kysely<Database>,
  clock: Clock,
  appId: string,
  environments: EnvironmentInput[],
): Promise<Environment[]> {
  checkUniqueNames(environments);
  return db.transaction().execute(async (trx) => {
    const app = await trx.selectFrom('apps').select('id').where('id', '=', appId).executeTakeFirst();
    if (!app) throw new NotFoundError('app', appId);
    const existing = await trx.selectFrom('environments').selectAll().where('app_id', '=', appId).execute();
    const byName = new Map(existing.map((e) => [e.name, e]));
    const missing: EnvironmentInput[] = [];
    for (const e of environments) {
      const current = byName.get(e.name);
      if (!current) missing.push(e);
      else if (current.branch !== e.branch) {
        await trx.updateTable('environments').set({ branch: e.branch }).where('id', '=', current.id).execute();
      }
    }
    await insertEnvironments(trx, clock, appId, missing);
    const rows = await trx
      .selectFrom('environments')
      .selectAll()
      .where('app_id', '=', appId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toEnvironment);
  });
}

export async function listEnvironments(db: Kysely<Database>, appId?: string): Promise<Environment[]> {
  let q = db.selectFrom('environments').selectAll();
  if (appId !== undefined) q = q.where('app_id', '=', appId);
  const rows = await q.orderBy('created_at').orderBy('id').execute();
  return rows.map(toEnvironment);
}

export async function getEnvironment(db: Kysely<Database>, appId: string, name: string): Promise<Environment | null> {
  const row = await db
    .selectFrom('environments')
    .selectAll()
    .where('app_id', '=', appId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? toEnvironment(row) : null;
}

export async function getEnvironmentById(db: Kysely<Database>, id: string): Promise<Environment | null> {
  const row = await db.selectFrom('environments').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toEnvironment(row) : null;
}

async function insertEnvironments(
  db: Kysely<Database>,
  clock: Clock,
  appId: string,
  environments: EnvironmentInput[],
): Promise<void> {
  if (environments.length === 0) return;
  const now = clock.now();
  const at = now.toISOString();
  const rows = environments.map((e) => ({
    id: newId('env', now.getTime()),
    app_id: appId,
    name: e.name,
    branch: e.branch,
    created_at: at,
  }));
  await db.insertInto('environments').values(rows).execute();
}

function checkUniqueNames(environments: EnvironmentInput[]): void {
  const seen = new Set<string>();
  for (const e of environments) {
    if (seen.has(e.name)) {
      throw new InvalidInputError(`environment "${e.name}" is listed twice; environment names must be unique within an app`, {
        name: e.name,
      });
    }
    seen.add(e.name);
  }
}
