// Step runs: one row per pipeline step, written before and after it runs.
import type { Kysely, Selectable, Updateable } from 'kysely';
import { NotFoundError } from '../../core/errors.js';
import type { StepRun, StepStatus } from '../../core/model.js';
import type { Clock } from '../../platform/clock.js';
import { fromJsonColumn, toJsonColumn } from '../json-column.js';
import type { Database, StepRunsTable } from '../schema.js';

/** Statuses after which a step is still in progress (no `finishedAt`). */
const IN_PROGRESS: readonly StepStatus[] = ['running', 'compensating'];

export function toStepRun(r: Selectable<StepRunsTable>): StepRun {
  return {
    id: r.id,
    deploymentId: r.deployment_id,
    seq: r.seq,
    name: r.name,
    status: r.status,
    output: fromJsonColumn(r.output, 'step_runs.output', {}),
    error: r.error,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export async function startStep(
  db: Kysely<Database>,
  clock: Clock,
  deploymentId: string,
  seq: number,
  name: string,
): Promise<StepRun> {
  const row = await db
    .insertInto('step_runs')
    .values({
      deployment_id: deploymentId,
      seq,
      name,
      status: 'running',
      output: '{}',
      error: null,
      started_at: clock.now().toISOString(),
      finished_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toStepRun(row);
}

/** Records a step's new status; `finishedAt` is set unless the status is still in progress. */
export async function finishStep(
  db: Kysely<Database>,
  clock: Clock,
  id: number,
  status: StepStatus,
  output?: Record<string, unknown>,
  error?: string | null,
): Promise<void> {
  const set: Updateable<StepRunsTable> = {
    status,
    finished_at: IN_PROGRESS.includes(status) ? null : clock.now().toISOString(),
  };
  if (output !== undefined) set.output = toJsonColumn(output);
  if (error !== undefined) set.error = error;
  const res = await db.updateTable('step_runs').set(set).where('id', '=', id).executeTakeFirst();
  if (res.numUpdatedRows === 0n) throw new NotFoundError('step run', String(id));
}

export async function listSteps(db: Kysely<Database>, deploymentId: string): Promise<StepRun[]> {
  const rows = await db
    .selectFrom('step_runs')
    .selectAll()
    .where('deployment_id', '=', deploymentId)
    .orderBy('seq')
    .orderBy('id')
    .execute();
  return rows.map(toStepRun);
}
