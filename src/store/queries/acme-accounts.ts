// ACME accounts, one row per CA directory URL; the key column holds the secret box's ciphertext.
import type { Kysely, Selectable } from 'kysely';
import type { AcmeAccount } from '../../core/ports/store/acme-accounts.js';
import type { Clock } from '../../platform/clock.js';
import type { AcmeAccountsTable, Database } from '../schema.js';

function toAccount(r: Selectable<AcmeAccountsTable>): AcmeAccount {
  return { directoryUrl: r.directory_url, accountUrl: r.account_url, sealedKey: r.sealed_key, email: r.email, createdAt: r.created_at };
}

export async function getAcmeAccount(db: Kysely<Database>, directoryUrl: string): Promise<AcmeAccount | null> {
  const row = await db.selectFrom('acme_accounts').selectAll().where('directory_url', '=', directoryUrl).executeTakeFirst();
  return row ? toAccount(row) : null;
}

/** Inserts unless the directory has an account already (the first one wins); returns the stored one. */
export async function keepAcmeAccount(db: Kysely<Database>, clock: Clock, a: Omit<AcmeAccount, 'createdAt'>): Promise<AcmeAccount> {
  await db
    .insertInto('acme_accounts')
    .values({
      directory_url: a.directoryUrl,
      account_url: a.accountUrl,
      sealed_key: a.sealedKey,
      email: a.email,
      created_at: clock.now().toISOString(),
    })
    .onConflict((oc) => oc.column('directory_url').doNothing())
    .execute();
  const stored = await getAcmeAccount(db, a.directoryUrl);
  if (!stored) throw new Error(`the ACME account of ${a.directoryUrl} was not stored`);
  return stored;
}

/** Replaces the directory's account if it is still `previousAccountUrl` (or stores it if none is); returns the stored one. */
export async function replaceAcmeAccount(
  db: Kysely<Database>,
  clock: Clock,
  previousAccountUrl: string,
  a: Omit<AcmeAccount, 'createdAt'>,
): Promise<AcmeAccount> {
  await db
    .updateTable('acme_accounts')
    .set({ account_url: a.accountUrl, sealed_key: a.sealedKey, email: a.email, created_at: clock.now().toISOString() })
    .where('directory_url', '=', a.directoryUrl)
    .where('account_url', '=', previousAccountUrl)
    .execute();
  return keepAcmeAccount(db, clock, a);
}
