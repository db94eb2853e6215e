// The audit trail: every mutation, who did it and how it ended.
import type { AuditEvent } from '../../model.js';

export interface AuditLog {
  audit(e: Omit<AuditEvent, 'id' | 'at'> & { at?: string }): Promise<AuditEvent>;
  listAudit(filter: { limit?: number; beforeId?: number; target?: string }): Promise<AuditEvent[]>;
}
