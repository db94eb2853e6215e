// The audit trail: append-only (there is deliberately no update or delete).
import type { Kysely, Selectable } from 'kysely';
import type { AuditEvent } from '../../core/model.js';
import type { Clock } from '../../platform/clock.js';
import { fromJsonColumn, toJsonColumn } from '../json-column.js';
import type { AuditEventsTable, Database } from '../schema.js';

export const DEFAULT_AUDIT_PAGE = 100;

export interface AuditFilter {
  limit?: number;
  beforeId?: number;
  target?: string;
}

function toAuditEvent(r: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    details: fromJsonColumn(r.details, 'audit_events.details', {}),
  };
}

export async function audit(
  db: Kysely<Database>,
  clock: Clock,
  e: Omit<AuditEvent, 'id' | 'at'> & { at?: string },
): Promise<AuditEvent> {
  const row = await db
    .insertInto('audit_events')
    .values({
      at: e.at ?? clock.now().toISOString(),
      actor: e.actor,
      action: e.action,
      target: e.target,
      outcome: e.outcome,
      details: toJsonColumn(e.details),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAuditEvent(row);
}

/** Newest first (by id); page with `beforeId` = the last id of the previous page. Default limit 100. */
export async function listAudit(db: Kysely<Database>, filter: AuditFilter): Promise<AuditEvent[]> {
  let q = db.selectFrom('audit_events').selectAll();
  if (filter.target !== undefined) q = q.where('target', '=', filter.target);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(filter.limit ?? DEFAULT_AUDIT_PAGE)
    .execute();
  return rows.map(toAuditEvent);
}
