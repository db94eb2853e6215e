// Holds an environment's lock while a database is overwritten, so no deploy (and no migration)
// runs at the same time; deploys queue behind it like behind a manual lock.
import { randomBytes } from 'node:crypto';
import { LockedError } from '../core/errors.js';
import type { Environment } from '../core/model.js';
import type { Locks } from '../core/ports/store/locks.js';

const TTL_MS = 60 * 60 * 1000;

export async function withEnvironmentHeld<T>(store: Locks, env: Environment, label: string, reason: string, fn: () => Promise<T>): Promise<T> {
  const owner = `${label}:${randomBytes(4).toString('hex')}`;
  const { acquired, lock } = await store.tryLock({ environmentId: env.id, owner, kind: 'manual', reason, deploymentId: null, ttlMs: TTL_MS });
  if (!acquired) {
    throw new LockedError(`${env.name} is locked by ${lock.owner} (${lock.reason}); wait for it to finish, then try again`, { owner: lock.owner });
  }
  try {
    return await fn();
  } finally {
    await store.unlock(env.id, owner);
  }
}
