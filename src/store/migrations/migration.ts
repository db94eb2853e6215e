// A numbered schema migration. Migrations run in order, in one transaction, at open.
import type { Kysely } from 'kysely';

export interface Migration {
  version: number;
  name: string;
  // Migrations see the schema as it was when they were written, so they are untyped.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>): Promise<void>;
}
