// Removes an app's images that no kept release uses, on the node the Engine client talks to.
import type { EngineClient } from '../engine/engine-client.js';
import { EngineApiError } from '../engine/errors.js';

interface ImageSummary {
  Id: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
}

export async function pruneImages(engine: EngineClient, repository: string, keepRefs: string[]): Promise<string[]> {
  const images = await engine.request<ImageSummary[]>({ method: 'GET', path: '/images/json', query: { filters: JSON.stringify({ reference: [repository] }) } });
  const keep = new Set(keepRefs);
  const removed: string[] = [];
  for (const img of images) {
    const refs = [...(img.RepoDigests ?? []), ...(img.RepoTags ?? [])];
    if (refs.some((r) => keep.has(r))) continue;
    try {
      await engine.request({ method: 'DELETE', path: `/images/${encodeURIComponent(img.Id)}`, query: { force: false, noprune: false } });
      removed.push(`image ${refs[0] ?? img.Id}`);
    } catch (err) {
      // In use by a container (a task still shutting down): left for the next prune.
      if (!(err instanceof EngineApiError && (err.status === 409 || err.status === 404))) throw err;
    }
  }
  return removed;
}
