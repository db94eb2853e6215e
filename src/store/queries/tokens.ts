// API tokens: the store keeps a hash, never the token.
import type { Kysely, Selectable } from 'kysely';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { ApiToken } from '../../core/model.js';
import type { Clock } from '../../platform/clock.js';
import { newId } from '../ids.js';
import type { Database, TokensTable } from '../schema.js';

function toToken(r: Pick<Selectable<TokensTable>, 'id' | 'name' | 'created_at' | 'last_used_at'>): ApiToken {
  return { id: r.id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at };
}

const PUBLIC_COLUMNS = ['id', 'name', 'created_at', 'last_used_at'] as const;

export async function createToken(db: Kysely<Database>, clock: Clock, name: string, hash: string): Promise<ApiToken> {
  return db.transaction().execute(async (trx) => {
    const clash = await trx.selectFrom('tokens').select('id').where('hash', '=', hash).executeTakeFirst();
    if (clash) throw new ConflictError('a token with this hash already exists; generate a new token');
    const now = clock.now();
    const row = { id: newId('tok', now.getTime()), name, hash, created_at: now.toISOString(), last_used_at: null };
    await trx.insertInto('tokens').values(row).execute();
    return toToken(row);
  });
}

export async function findTokenByHash(db: Kysely<Database>, hash: string): Promise<ApiToken | null> {
  const row = await db.selectFrom('tokens').select(PUBLIC_COLUMNS).where('hash', '=', hash).executeTakeFirst();
  return row ? toToken(row) : null;
}

export async function listTokens(db: Kysely<Database>): Promise<ApiToken[]> {
  const rows = await db.selectFrom('tokens').select(PUBLIC_COLUMNS).orderBy('created_at').orderBy('id').execute();
  return rows.map(toToken);
}

export async function touchToken(db: Kysely<Database>, id: string, at: string): Promise<void> {
  const res = await db.updateTable('tokens').set({ last_used_at: at }).where('id', '=', id).executeTakeFirst();
  if (res.numUpdatedRows === 0n) throw new NotFoundError('token', id);
}
