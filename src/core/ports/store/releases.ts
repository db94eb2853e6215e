// Releases of an environment and which one is live.
import type { Release } from '../../model.js';

export interface Releases {
  createRelease(r: Omit<Release, 'createdAt' | 'deployedAt'>): Promise<Release>;
  getRelease(id: string): Promise<Release | null>;
  updateRelease(id: string, patch: Partial<Pick<Release, 'status' | 'artifact' | 'driverState' | 'deployedAt' | 'commitSubject' | 'notes'>>): Promise<void>;
  listReleases(environmentId: string, limit?: number): Promise<Release[]>;
  liveRelease(environmentId: string): Promise<Release | null>;
  /** Marks `releaseId` live, the former live one `previous`, and older previous ones `retired`, atomically. */
  markLive(environmentId: string, releaseId: string, deployedAt: string): Promise<void>;
}
