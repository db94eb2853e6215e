// Secrets as ciphertext: app-wide (environment_id null) or one environment's own.
import type { Kysely, Selectable } from 'kysely';
import { InvalidInputError, NotFoundError } from '../../core/errors.js';
import type { SecretRef } from '../../core/model.js';
import type { EncryptedSecret } from '../../core/ports/store/secrets.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, SecretsTable } from '../schema.js';

type SecretRow = Selectable<SecretsTable>;

function toRef(r: SecretRow): SecretRef {
  return { appId: r.app_id, environmentId: r.environment_id, name: r.name, createdAt: r.created_at, updatedAt: r.updated_at };
}

function toEncrypted(r: SecretRow): EncryptedSecret {
  return { ref: toRef(r), ciphertext: r.ciphertext };
}

/** Inserts or replaces the secret; `ref.createdAt`/`updatedAt` are set by the store. */
export async function putSecret(db: Kysely<Database>, clock: Clock, s: EncryptedSecret): Promise<void> {
  const { appId, environmentId, name } = s.ref;
  await db.transaction().execute(async (trx) => {
    const at = clock.now().toISOString();
    const updated = await trx
      .updateTable('secrets')
      .set({ ciphertext: s.ciphertext, updated_at: at })
      .where('app_id', '=', appId)
      .where('environment_id', environmentId === null ? 'is' : '=', environmentId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (updated.numUpdatedRows > 0n) return;
    const app = await trx.selectFrom('apps').select('id').where('id', '=', appId).executeTakeFirst();
    if (!app) throw new NotFoundError('app', appId);
    if (environmentId !== null) {
      const env = await trx.selectFrom('environments').select('app_id').where('id', '=', environmentId).executeTakeFirst();
      if (!env) throw new NotFoundError('environment', environmentId);
      if (env.app_id !== appId) {
        throw new InvalidInputError(`environment ${environmentId} belongs to app ${env.app_id}, not to ${appId}`);
      }
    }
    await trx
      .insertInto('secrets')
      .values({ app_id: appId, environment_id: environmentId, name, ciphertext: s.ciphertext, created_at: at, updated_at: at })
      .execute();
  });
}

export async function deleteSecret(
  db: Kysely<Database>,
  appId: string,
  environmentId: string | null,
  name: string,
): Promise<boolean> {
  const res = await db
    .deleteFrom('secrets')
    .where('app_id', '=', appId)
    .where('environment_id', environmentId === null ? 'is' : '=', environmentId)
    .where('name', '=', name)
    .executeTakeFirst();
  return res.numDeletedRows > 0n;
}

/** `environmentId` undefined: all of the app's secrets; null: app-wide ones; an id: that environment's own. */
export async function listSecrets(
  db: Kysely<Database>,
  appId: string,
  environmentId?: string | null,
): Promise<SecretRef[]> {
  let q = db.selectFrom('secrets').selectAll().where('app_id', '=', appId);
  if (environmentId !== undefined) q = q.where('environment_id', environmentId === null ? 'is' : '=', environmentId);
  const rows = await q.execute();
  return rows.sort(byNameAppWideFirst).map(toRef);
}

/** App-wide secrets overlaid by the environment's own (same name: the environment's wins), by name. */
export async function secretsFor(db: Kysely<Database>, appId: string, environmentId: string): Promise<EncryptedSecret[]> {
  const rows = await db
    .selectFrom('secrets')
    .selectAll()
    .where('app_id', '=', appId)
    .where((eb) => eb.or([eb('environment_id', 'is', null), eb('environment_id', '=', environmentId)]))
    .execute();
  const byName = new Map<string, SecretRow>();
  for (const r of rows) {
    const seen = byName.get(r.name);
    if (!seen || seen.environment_id === null) byName.set(r.name, r);
  }
  return [...byName.values()].sort(byNameAppWideFirst).map(toEncrypted);
}

export async function allSecrets(db: Kysely<Database>): Promise<EncryptedSecret[]> {
  const rows = await db.selectFrom('secrets').selectAll().orderBy('app_id').orderBy('id').execute();
  return rows.sort((a, b) => compare(a.app_id, b.app_id) || byNameAppWideFirst(a, b)).map(toEncrypted);
}

/** Sorted in code: SQL engines disagree on where NULL sorts. */
function byNameAppWideFirst(a: SecretRow, b: SecretRow): number {
  return compare(a.name, b.name) || compare(a.environment_id ?? '', b.environment_id ?? '');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
