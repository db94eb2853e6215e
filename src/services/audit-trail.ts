// Records every mutating call: who, what, on what, with which outcome, when. Append-only.
import { errorMessage } from '../core/errors.js';
import type { Store } from '../core/ports/store.js';
import type { Actor } from './actor.js';

export class AuditTrail {
  constructor(private readonly store: Store) {}

  /** Runs `fn` and records its outcome; the error is rethrown unchanged. */
  async record<T>(actor: Actor, action: string, target: string, details: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
    try {
      const result = await fn();
      await this.store.audit({ actor: actor.name, action, target, outcome: 'ok', details });
      return result;
    } catch (err) {
      await this.store.audit({ actor: actor.name, action, target, outcome: 'error', details: { ...details, error: errorMessage(err) } });
      throw err;
    }
  }

  list(filter: { limit?: number; beforeId?: number; target?: string }) {
    return this.store.listAudit(filter);
  }
}
