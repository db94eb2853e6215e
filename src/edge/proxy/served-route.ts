// What an exchange needs of the route a request matched: its settings, its pause gate and a target
// to send the request to. Owned here so that proxying does not depend on how routes are kept;
// routing/live-route.ts is the implementation.
import type { EdgeRoute } from '../../core/ports/edge-control.js';
import type { UpstreamTarget } from './upstream-target.js';

export interface ServedRoute {
  readonly id: string;
  readonly route: EdgeRoute;
  readonly gate: {
    readonly paused: boolean;
    /** Holds a request until resume (`release`) or the max hold (`expire`); returns a cancel. */
    hold(release: () => void, expire: () => void): () => void;
  };
  readonly pool: {
    /** The next target in rotation other than `exclude`, if any. */
    next(exclude?: UpstreamTarget): UpstreamTarget | undefined;
  };
}
