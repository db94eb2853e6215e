// Environment locks as leases: held until unlocked or until the holder stops heartbeating
// and its lease expires (time comes from the store's clock).
import type { Lock } from '../../model.js';

export interface LockRequest {
  environmentId: string;
  owner: string;
  kind: Lock['kind'];
  reason: string;
  deploymentId: string | null;
  ttlMs: number;
}

export interface Locks {
  /** Takes the environment's lock if free or expired; returns the lock held after the call. */
  tryLock(req: LockRequest): Promise<{ acquired: boolean; lock: Lock }>;
  heartbeat(environmentId: string, owner: string, ttlMs: number): Promise<boolean>;
  unlock(environmentId: string, owner?: string): Promise<boolean>;
  getLock(environmentId: string): Promise<Lock | null>;
  listLocks(): Promise<Lock[]>;
}
