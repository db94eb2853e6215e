// A database that Slipway backs up: `databases` in slipway.yml (per environment). Pure schema
// (in core so the app spec can use it); the adapters in src/backups/ re-export it.
import { Cron } from 'croner';
import { z } from 'zod';

export const DATABASE_KINDS = ['postgres', 'mysql', 'mariadb'] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

export const verifyQuerySchema = z
  .strictObject({
    query: z.string().min(1, 'expected an SQL query').describe('A read-only query run against the restored copy.'),
    expect: z
      .union([z.literal('non_empty'), z.number()], {
        error: () => 'expected "non_empty" or a number',
      })
      .describe('"non_empty": the query returns at least one row; a number: the first column of the first row equals it.'),
  })
  .describe('A check that a restore drill runs against the restored database.');

const cronExpression = z
  .string()
  .min(1)
  .refine(
    (expr) => {
      try {
        new Cron(expr, { paused: true }).stop();
        return true;
      } catch {
        return false;
      }
    },
    { message: 'expected a cron expression like "0 3 * * *" (minute hour day month weekday)' },
  )
  .describe('When to take a scheduled backup (cron, UTC), e.g. "0 3 * * *".');

const keep = z.number().int().min(0).max(10_000);
export const retentionSchema = z
  .strictObject({
    last: keep.optional().describe('Keep the newest N backups.'),
    daily: keep.optional().describe('Keep the newest backup of each of the last N days that have one.'),
    weekly: keep.optional().describe('Keep the newest backup of each of the last N ISO weeks that have one.'),
    monthly: keep.optional().describe('Keep the newest backup of each of the last N months that have one.'),
  })
  .describe('Which backups pruning keeps; a backup kept by any rule is kept. The newest verified backup is always kept.');

const name = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'expected a lowercase name: letters, digits, "-" and "_", starting with a letter');

export const databaseSpecSchema = z
  .strictObject({
    name: name.describe('Name of the database within the environment (used in backup names).'),
    kind: z.enum(DATABASE_KINDS, { error: () => 'expected one of "postgres", "mysql", "mariadb"' }),
    url_secret: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a secret name like DATABASE_URL')
      .describe('Name of the Slipway secret holding the connection URL (postgres://user:pass@host:port/db).'),
    verify: z.array(verifyQuerySchema).default([]),
    schedule: cronExpression.optional(),
    drill_schedule: cronExpression.optional().describe('When to run a restore drill of the newest backup (cron, UTC).'),
    retention: retentionSchema.default({ last: 7, daily: 7, weekly: 4 }),
    target: name.default('local').describe('Name of the backup target; "local" is the data directory.'),
    encrypt: z.boolean().default(false).describe('Encrypt backups with the master key (AES-256-GCM).'),
    drill_before_migration: z
      .boolean()
      .default(true)
      .describe('Restore the pre-migration backup into a scratch database and check it before the migration runs (turn off only for databases too large to restore within a deploy).'),
  })
  .describe('A database that Slipway backs up before migrations and on a schedule.');

export type DatabaseSpec = z.output<typeof databaseSpecSchema>;
export type DatabaseSpecInput = z.input<typeof databaseSpecSchema>;
export type VerifyQuery = z.output<typeof verifyQuerySchema>;
export type RetentionPolicy = z.output<typeof retentionSchema>;

/** `databases:` as a list; names must be unique. */
export const databaseListSchema = z.array(databaseSpecSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((db, i) => {
    if (seen.has(db.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate database name "${db.name}"` });
    seen.add(db.name);
  });
});

/** mysql and mariadb are driven by the same tools. */
export function engineFamily(kind: DatabaseKind): 'postgres' | 'mariadb' {
  return kind === 'postgres' ? 'postgres' : 'mariadb';
}
