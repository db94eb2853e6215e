// The deployment log: lines numbered 1, 2, ... per deployment, read back in order.
import type { Kysely, Selectable } from 'kysely';
import type { LogLine, LogStream } from '../../core/model.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, DeploymentLogsTable } from '../schema.js';

export function toLogLine(r: Selectable<DeploymentLogsTable>): LogLine {
  return { deploymentId: r.deployment_id, seq: r.seq, at: r.at, stream: r.stream, step: r.step, text: r.text };
}

/** One statement computes the next `seq` and inserts, so concurrent appends never collide. */
export async function appendLog(
  db: Kysely<Database>,
  clock: Clock,
  deploymentId: string,
  stream: LogStream,
  step: string | null,
  text: string,
): Promise<LogLine> {
  const row = await db
    .insertInto('deployment_logs')
    .values((eb) => ({
      deployment_id: deploymentId,
      seq: eb
        .selectFrom('deployment_logs')
        .select((s) => s(s.fn.coalesce(s.fn.max('seq'), s.lit(0)), '+', 1).as('next'))
        .where('deployment_id', '=', deploymentId),
      at: clock.now().toISOString(),
      stream,
      step,
      text,
    }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return toLogLine(row);
}

/** Lines with `seq > afterSeq` (default 0), oldest first; all of them unless `limit` is given. */
export async function readLog(
  db: Kysely<Database>,
  deploymentId: string,
  afterSeq = 0,
  limit?: number,
): Promise<LogLine[]> {
  let q = db
    .selectFrom('deployment_logs')
    .selectAll()
    .where('deployment_id', '=', deploymentId)
    .where('seq', '>', afterSeq)
    .orderBy('seq');
  if (limit !== undefined) q = q.limit(limit);
  const rows = await q.execute();
  return rows.map(toLogLine);
}
