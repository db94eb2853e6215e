// Records every mutating call: who, what, on what, with which outcome, when. Append-only.
import { errorMessage } from '../core/errors.js';
import type { AuditLog } from '../core/ports/store/audit.js';
import type { Actor } from './actor.js';

export class AuditTrail {
  readonly #listeners: (() => void)[] = [];

  /** Called after every recorded mutation (views that cache state invalidate themselves). */
  onMutation(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** `redact` (the secret redactor) cleans targets and details before they are stored. */
  constructor(
    private readonly store: AuditLog,
    private readonly redact: (text: string) => string = (t) => t,
  ) {}

  /** Runs `fn` and records its outcome; the error is rethrown unchanged. */
  async record<T>(actor: Actor, action: string, target: string, details: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
    try {
      const result = await fn();
      await this.write(actor, action, target, 'ok', details);
      return result;
    } catch (err) {
      await this.write(actor, action, target, 'error', { ...details, error: errorMessage(err) });
      throw err;
    }
  }

  private async write(actor: Actor, action: string, target: string, outcome: 'ok' | 'error', details: Record<string, unknown>): Promise<void> {
    const clean = JSON.parse(this.redact(JSON.stringify(details))) as Record<string, unknown>;
    await this.store.audit({ actor: actor.name, action, target: this.redact(target), outcome, details: clean });
    for (const l of this.#listeners) l();
  }

  list(filter: { limit?: number; beforeId?: number; target?: string }) {
    return this.store.listAudit(filter);
  }
}
