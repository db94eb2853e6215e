// The spec's static mounts as the edge serves them for a process-driver release: dir and file made
// absolute inside that release's directory, so the route of a release (and of a rollback to it)
// serves that release's files. The spec already refused absolute paths and "..".
import path from 'node:path';
import type { AppSpec } from '../../core/app-spec.js';
import type { RoutePages, StaticMount } from '../../core/ports/edge-control.js';

/** The spec's pages as absolute paths inside the release dir; undefined when it names none. */
export function releasePages(spec: Pick<AppSpec, 'pages'>, releaseDir: string): RoutePages | undefined {
  const entries = Object.entries(spec.pages).filter((e): e is [string, string] => e[1] !== undefined);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([k, v]) => [k, path.join(releaseDir, v)])) as RoutePages;
}

export function staticMounts(spec: Pick<AppSpec, 'static'>, releaseDir: string): StaticMount[] {
  return spec.static.map((m) => {
    const out: StaticMount = { path: m.path.length > 1 ? m.path.replace(/\/+$/, '') || '/' : m.path };
    if (m.dir !== undefined) out.dir = path.join(releaseDir, m.dir);
    if (m.file !== undefined) out.file = path.join(releaseDir, m.file);
    if (m.try_files) out.tryFiles = true;
    return out;
  });
}
