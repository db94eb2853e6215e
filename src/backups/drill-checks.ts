// The checks a restore drill runs on the restored copy (verification queries, row counts).
import { errorMessage } from '../core/errors.js';
import type { DatabaseConnection } from './database-connection.js';
import type { DatabaseEngine, RowCounts } from './database-engine.js';
import type { VerifyQuery } from './database-spec.js';

export async function runVerifyQueries(engine: DatabaseEngine, conn: DatabaseConnection, checks: VerifyQuery[]): Promise<string[]> {
  const reasons: string[] = [];
  for (const check of checks) {
    let rows: (string | null)[][];
    try {
      rows = await engine.query(conn, check.query);
    } catch (err) {
      reasons.push(`verification query failed: ${check.query}: ${errorMessage(err)}`);
      continue;
    }
    const problem = judge(check, rows);
    if (problem) reasons.push(`verification query ${JSON.stringify(check.query)}: ${problem}`);
  }
  return reasons;
}

/** Pure: the reason a query result fails its expectation, or undefined. */
export function judge(check: VerifyQuery, rows: (string | null)[][]): string | undefined {
  if (check.expect === 'non_empty') return rows.length > 0 ? undefined : 'expected at least one row, got none';
  const first = rows[0]?.[0];
  if (first === undefined) return `expected ${check.expect}, got no rows`;
  if (first === null || Number(first) !== check.expect) return `expected ${check.expect}, got ${first === null ? 'NULL' : JSON.stringify(first)}`;
  return undefined;
}

/** Pure: one reason per table whose count differs, is missing from the copy, or is unexpected. */
export function compareRowCounts(recorded: RowCounts, restored: RowCounts): string[] {
  const reasons: string[] = [];
  for (const [table, n] of Object.entries(recorded)) {
    const got = restored[table];
    if (got === undefined) reasons.push(`table ${table} (${n} rows at backup time) is missing from the restored copy`);
    else if (got !== n) reasons.push(`table ${table} has ${got} rows in the restored copy, ${n} at backup time`);
  }
  for (const table of Object.keys(restored)) {
    if (!(table in recorded)) reasons.push(`table ${table} is in the restored copy but was not recorded at backup time`);
  }
  return reasons;
}
