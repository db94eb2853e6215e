// The release a step works on, read fresh from the store (driver state grows as steps run).
import { PreconditionError } from '../core/errors.js';
import type { ReleaseRef } from '../core/ports/runtime-driver.js';
import type { PipelineDeps } from './pipeline-deps.js';

export async function releaseRef(deps: Pick<PipelineDeps, 'store'>, releaseId: string | null | undefined): Promise<ReleaseRef | null> {
  if (typeof releaseId !== 'string') return null;
  const r = await deps.store.getRelease(releaseId);
  if (!r) return null;
  return { releaseId: r.id, artifact: r.artifact ?? '', driverState: r.driverState };
}

export async function requireRelease(deps: Pick<PipelineDeps, 'store'>, releaseId: string): Promise<ReleaseRef> {
  const ref = await releaseRef(deps, releaseId);
  if (!ref) throw new PreconditionError(`release ${releaseId} is not recorded`);
  return ref;
}
