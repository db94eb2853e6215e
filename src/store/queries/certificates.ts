// TLS certificates: one row per certificate id, the key as ciphertext (sealed above the store).
import type { Kysely, Selectable } from 'kysely';
import type { NewStoredCertificate, StoredCertificate } from '../../core/ports/store/certificates.js';
import type { Clock } from '../../platform/clock.js';
import { fromJsonColumn, toJsonColumn } from '../json-column.js';
import type { CertificatesTable, Database } from '../schema.js';

function toCertificate(r: Selectable<CertificatesTable>): StoredCertificate {
  return {
    id: r.id,
    hosts: fromJsonColumn<string[]>(r.hosts, 'certificates.hosts', []),
    chainPem: r.chain_pem,
    keyCiphertext: r.key_ciphertext,
    notBefore: r.not_before,
    notAfter: r.not_after,
    source: r.source,
    origin: r.origin,
    directoryUrl: r.directory_url,
    renewAfter: r.renew_after,
    failures: r.failures,
    lastError: r.last_error,
    lastAttemptAt: r.last_attempt_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function saveCertificate(db: Kysely<Database>, clock: Clock, c: NewStoredCertificate): Promise<StoredCertificate> {
  const at = clock.now().toISOString();
  const fields = {
    hosts: toJsonColumn(c.hosts),
    chain_pem: c.chainPem,
    key_ciphertext: c.keyCiphertext,
    not_before: c.notBefore,
    not_after: c.notAfter,
    source: c.source,
    directory_url: c.directoryUrl,
    renew_after: c.renewAfter,
    failures: 0,
    last_error: null,
    last_attempt_at: at,
    updated_at: at,
    ...(c.origin ? { origin: c.origin } : {}),
  };
  await db
    .insertInto('certificates')
    .values({ id: c.id, ...fields, created_at: at })
    .onConflict((oc) => oc.column('id').doUpdateSet(fields))
    .execute();
  return (await getStoredCertificate(db, c.id))!;
}

export async function getStoredCertificate(db: Kysely<Database>, id: string): Promise<StoredCertificate | null> {
  const row = await db.selectFrom('certificates').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toCertificate(row) : null;
}

export async function listStoredCertificates(db: Kysely<Database>): Promise<StoredCertificate[]> {
  const rows = await db.selectFrom('certificates').selectAll().orderBy('id').execute();
  return rows.map(toCertificate);
}

export async function recordCertificateFailure(db: Kysely<Database>, clock: Clock, id: string, error: string, retryAt: string): Promise<boolean> {
  const at = clock.now().toISOString();
  const res = await db
    .updateTable('certificates')
    .set((eb) => ({ failures: eb('failures', '+', 1), last_error: error, last_attempt_at: at, renew_after: retryAt, updated_at: at }))
    .where('id', '=', id)
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

export async function deleteStoredCertificate(db: Kysely<Database>, id: string): Promise<boolean> {
  const res = await db.deleteFrom('certificates').where('id', '=', id).executeTakeFirst();
  return res.numDeletedRows > 0n;
}
